// The native API's public links, built from the gateway's public URL.

/** Where a patron pays a request: the payUrl of the native payment request object and of its QR code. */
export function payUrlOf(publicUrl: string, paymentRequestId: string): string {
  return `${publicUrl}/pay/${paymentRequestId}`;
}

/** A terminal's static check-in link: the checkInUrl of the terminal object and of its QR code. */
export function checkInUrlOf(publicUrl: string, terminalId: string): string {
  return `${publicUrl}/check-in/${terminalId}`;
}
