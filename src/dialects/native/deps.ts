import type { FastifyRequest } from 'fastify';
import { authenticate } from '../../app/use-cases/merchants.js';
import type { App, Caller } from '../../app/context.js';
import type { Dialect } from '../dialect.js';
import { bearerToken } from '../shared/auth.js';

export interface NativeDeps {
  app: App;
  /** Base URL patrons and POS reach: payUrl and links are built from it (read per request: known once listening). */
  readonly publicUrl: string;
  /** POSGATE_ADMIN_TOKEN when configured; otherwise the hashed, generated one in the database. */
  adminToken: string | null;
  /** Every registered dialect: the admin API makes their credential sets. */
  dialects: readonly Dialect[];
  /** What a webhook endpoint's `format` may be. */
  webhookFormats: readonly string[];
  /** Formats signed with posgate's own key: their endpoints are given no secret. */
  secretlessWebhookFormats?: readonly string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}

/** Resolves the API key before the body is even parsed: no key, no work. */
export function requireApiKey(deps: NativeDeps) {
  return async (request: FastifyRequest) => {
    request.caller = await authenticate(deps.app, bearerToken(request), 'native');
  };
}
