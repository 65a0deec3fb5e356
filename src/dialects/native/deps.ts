import type { FastifyRequest } from 'fastify';
import { authenticate } from '../../app/use-cases/merchants.js';
import type { Caller } from '../../app/context.js';
import type { DialectContext } from '../dialect.js';
import { bearerToken } from '../shared/auth.js';
import type { NativeSettings } from './settings.js';

/** What the native API's routes are given: the dialect's context, with its own settings. */
export type NativeDeps = DialectContext<NativeSettings>;

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
