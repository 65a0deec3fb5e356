// QR codes as inline SVG for the pages (the display's pay and check-in codes, the patron's code).
import QRCode from 'qrcode';
import { esc } from './html.js';

const CACHE_LIMIT = 512;
const cache = new Map<string, string>();

/** The QR code of `text` as a PNG, as the API's qr.png endpoints draw it. */
export function qrPng(text: string): Promise<Buffer> {
  return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 8 });
}

/**
 * The QR code of `text` as an inline SVG element, labelled for screen readers. The XML namespace
 * attribute is dropped: inline SVG in HTML needs none, and the page then names no other origin.
 */
export async function qrSvg(text: string, label: string): Promise<string> {
  let svg = cache.get(text);
  if (svg === undefined) {
    svg = (await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })).trim().replace(/\s+xmlns="[^"]*"/, '');
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(text, svg);
  }
  return svg.replace('<svg ', `<svg role="img" aria-label="${esc(label)}" `);
}
