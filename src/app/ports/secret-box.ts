/** Seals secrets that must be readable again (webhook signing secrets, the demo credentials) at rest. */
export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}
