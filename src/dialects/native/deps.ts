import type { FastifyRequest } from 'fastify';
import { authenticate } from '../../app/use-cases/merchants.js';
import type { App, Caller } from '../../app/context.js';
import type { Work } from '../../app/unit-of-work.js';
import { bearerToken } from '../shared/auth.js';

export interface NativeDeps {
  app: App;
  /** Base URL patrons and POS reach: payUrl and links are built from it (read per request: known once listening). */
  readonly publicUrl: string;
  /** POSGATE_ADMIN_TOKEN when configured; otherwise the hashed, generated one in the database. */
  adminToken: string | null;
  /** The provider dialects: the admin API makes their credential sets. */
  dialects: Readonly<Record<string, { issueCredentials(unit: Work, merchantId: string, options?: { issueToken?: boolean }): Promise<unknown> }>>;
}


declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}

/** Resolves the API key before the body is even parsed: no key, no work. */
export function requireApiKey(deps: NativeDeps) {
  return async (request: FastifyRequest) => {
    request.caller = await authenticate(deps.app, bearerToken(request));
  };
}
