/** Identifier and secret generation: random, and ids sortable by creation time. */
export interface Ids {
  /** `prefix_` + 26 characters: 48 bits of milliseconds then 80 random bits, Crockford base32. */
  id(prefix: string): string;
  /** `prefix` + base62 of `bytes` random bytes (API keys, tokens). */
  secret(prefix: string, bytes?: number): string;
  shortCode(): string;
  /** A Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
  webhookSecret(): string;
}
