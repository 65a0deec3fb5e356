// Idempotency-Key plumbing every dialect reuses: the key's scope and fingerprint, and one helper
// that runs a POST's use case through the unit of work and sends (or replays) its response.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App, Caller } from '../../app/context.js';
import type { StoredResponse } from '../../app/ports/persistence.js';
import { execute, executeOutside, type ExecutedResponse, type ExecuteOptions, type Idempotency, type Work } from '../../app/unit-of-work.js';
import { DomainError } from '../../core/errors.js';

/** Whose Idempotency-Key it is: the API key (or the admin token) that sent the request. */
export type Credential = Pick<Caller, 'credentialId'>;

/** Canonical JSON (sorted keys) so the same request hashes the same whatever its key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value ?? {})).digest('hex');
}

/**
 * The path an idempotency key is scoped to: the matched route with its decoded parameters put back
 * in one canonical encoding, so `/pay/pr_X` and `/pay/pr%5FX` are one scope (one key, one effect).
 */
export function routePath(request: FastifyRequest): string {
  const pattern = request.routeOptions.url;
  if (pattern === undefined) return request.url.split('?')[0] as string;
  const params = (request.params ?? {}) as Record<string, unknown>;
  const value = (name: string) => encodeURIComponent(String(params[name] ?? ''));
  return pattern.replace(/:([A-Za-z0-9_]+)|\*/g, (token, name: string | undefined) => value(name ?? token));
}

/** Whether a header (lower case) is among the request's headers more than once. */
function sentMoreThanOnce(request: FastifyRequest, name: string): boolean {
  const raw = request.raw.rawHeaders;
  let seen = 0;
  for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === name && ++seen > 1) return true;
  return false;
}

/** Scope (credential, method, route) and the body's fingerprint, when the request carries Idempotency-Key. */
export function idempotencyOf(request: FastifyRequest, credential: Credential): Idempotency | null {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return null;
  // sent twice, Node joins the two into one value ("a, b"): a key neither try would send alone
  if (sentMoreThanOnce(request, 'idempotency-key')) throw new DomainError('idempotency_key_invalid', 'Idempotency-Key was sent more than once: send it once.', 'Idempotency-Key');
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!key || key.length > 255) throw new DomainError('idempotency_key_invalid', 'Idempotency-Key must be 1 to 255 characters.', 'Idempotency-Key');
  return { scope: { credentialId: credential.credentialId, method: request.method, path: routePath(request), key }, fingerprint: fingerprint(request.body) };
}

export function sendExecuted(reply: FastifyReply, executed: ExecutedResponse): FastifyReply {
  if (executed.replayed) reply.header('Idempotent-Replayed', 'true');
  return reply.status(executed.status).send(executed.body);
}

/**
 * Runs a POST's use case in one transaction with its stored response (`execute`) and sends the
 * response; for an Idempotency-Key already answered, replays that answer instead.
 */
export async function respond<T>(app: App, request: FastifyRequest, reply: FastifyReply, credential: Credential, work: (unit: Work) => Promise<T>, render: (result: T) => StoredResponse, options: ExecuteOptions = {}): Promise<FastifyReply> {
  return sendExecuted(reply, await execute(app, idempotencyOf(request, credential), work, render, options));
}

/**
 * `respond` for a use case that opens its own transactions or only reads: it runs outside any
 * transaction of ours, between claiming the key and storing the response (`executeOutside`).
 */
export async function respondOutside<T>(app: App, request: FastifyRequest, reply: FastifyReply, credential: Credential, run: () => Promise<T>, render: (result: T) => StoredResponse): Promise<FastifyReply> {
  return sendExecuted(reply, await executeOutside(app, idempotencyOf(request, credential), run, render));
}
