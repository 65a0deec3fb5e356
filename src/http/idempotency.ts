import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../core/errors.js';
import type { Caller } from '../app/context.js';
import type { ExecutedResponse, Idempotency } from '../app/unit-of-work.js';

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

/** Scope (credential, method, path) and the body's fingerprint, when the request carries Idempotency-Key. */
export function idempotencyOf(request: FastifyRequest, caller: Pick<Caller, 'credentialId'>): Idempotency | null {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return null;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!key || key.length > 255) throw new DomainError('idempotency_key_invalid', 'Idempotency-Key must be 1 to 255 characters.', 'Idempotency-Key');
  const path = request.url.split('?')[0] as string;
  return { scope: { credentialId: caller.credentialId, method: request.method, path, key }, fingerprint: fingerprint(request.body) };
}

export function sendExecuted(reply: FastifyReply, executed: ExecutedResponse): FastifyReply {
  if (executed.replayed) reply.header('Idempotent-Replayed', 'true');
  return reply.status(executed.status).send(executed.body);
}
