import type { App } from '../../app/context.js';

export interface CentrapayDeps {
  app: App;
  /** Base URL patrons and POS reach (read per request: known once listening). */
  readonly publicUrl: string;
  /** A pre-authorization lasts this long (Centrapay: 3 months). */
  preAuthTtlMs: number;
  /** Calls per merchant account per minute (0: no limit); off in test mode unless `rateLimitInTest`. */
  rateLimitPerMinute: number;
  rateLimitInTest: boolean;
}

/** A refusal in Centrapay's own words, where posgate's core has no code for it. */
export class CentrapayRefusal extends Error {
  constructor(readonly statusCode: number, readonly code: string, readonly detail: string) {
    super(detail);
  }
}
