// How every Kowri call travels: HTTP POST of a JSON body carrying requestId, appReference and
// secret, the appId header; the answer is always the envelope {requestId, success, statusCode,
// statusMessage, result}. A requestId is the call's idempotency key: the same body again is
// answered as before, another body under a used requestId is refused.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app/context.js';
import type { StoredResponse } from '../../app/ports/persistence.js';
import { execute, executeOutside, type Idempotency, type Work } from '../../app/unit-of-work.js';
import { parseObjectBody } from '../shared/body.js';
import { toDomainError } from '../shared/errors.js';
import { fingerprint } from '../shared/idempotency.js';
import { authenticateKowri, type KowriCaller } from './credentials.js';
import { httpStatusOf, KOWRI_ERRORS, statusMessageOf } from './errors.js';
import { documented, type KowriOperation } from './openapi.js';

export type ErrorStatusMode = 'strict' | 'provider';

export interface KowriDeps {
  app: App;
  /** Base URL patrons and POS reach (read per request: known once listening). */
  readonly publicUrl: string;
  errorStatus: ErrorStatusMode;
}

export const RequestId = z.string().min(1).max(100);

/** What every body carries besides the operation's own fields (checked by authentication). */
const COMMON = {
  requestId: RequestId.describe("Unique per call (a UUID is usual): the call's idempotency key, the same body again is answered as before"),
  appReference: z.string().describe("The set's appReference"),
  secret: z.string().describe("The set's secret"),
};

/** The body of an operation: its own fields beside the common ones; unknown fields are ignored, as Kowri does. */
export const bodyOf = <T extends z.ZodRawShape>(shape: T) => z.object({ ...COMMON, ...shape });

function envelopeOf(requestId: unknown, result: unknown) {
  return { requestId: typeof requestId === 'string' ? requestId : null, success: true, statusCode: 'SUCCESS', statusMessage: 'Successful', result };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown, mode: ErrorStatusMode): FastifyReply {
  const { error: problem, bug } = toDomainError(error);
  if (bug) request.log.error({ err: error }, 'unhandled error');
  const refusal = KOWRI_ERRORS[problem.code];
  const body = request.body as { requestId?: unknown } | undefined;
  const requestId = body && typeof body === 'object' && typeof body.requestId === 'string' ? body.requestId : null;
  return reply.status(httpStatusOf(refusal, mode)).send({ requestId, success: false, statusCode: refusal[0], statusMessage: statusMessageOf(problem.code, problem.message), result: null });
}

/**
 * A field sent as null is a field left out, in the body and in the objects it holds (an invoice
 * item): Kowri writes an unset field as null (`"callbackUrl": null`), and so do clients that
 * serialize every property of their request objects. A required field that is null is then named
 * as required.
 */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== null).map(([key, field]) => [key, withoutNulls(field)]));
}

/** A body by its schema: the first problem as a validation error naming its field. */
export const parseBody = <T extends z.ZodType>(schema: T, body: unknown): z.infer<T> => parseObjectBody(schema, withoutNulls(body), (field) => /(^|\.)(amount|unitPrice|subTotal)$/.test(field));

export interface Call<T> {
  input: T;
  who: KowriCaller;
  request: FastifyRequest;
}

/** The requestId's idempotency: scoped to the app's credential set, the body (the secret left out) its fingerprint. */
function idempotencyOf(who: KowriCaller, path: string, body: Record<string, unknown>): Idempotency {
  const { secret: _secret, ...rest } = body;
  return { scope: { credentialId: who.caller.credentialId, method: 'POST', path: '/kowri/webpos', key: String(body.requestId) }, fingerprint: fingerprint({ path, body: rest }) };
}

const answer = (requestId: unknown, result: unknown): StoredResponse => ({ status: 200, body: envelopeOf(requestId, result) });

/** A call whose work is one unit of work (a write): the effect and the stored answer commit together. */
export function writeRoute<S extends z.ZodType, T>(k: FastifyInstance, deps: KowriDeps, path: string, op: KowriOperation, schema: S, work: (unit: Work, call: Call<z.infer<S>>) => Promise<T>, render: (result: T, call: Call<z.infer<S>>) => unknown, prepare?: (call: Call<z.infer<S>>) => Promise<void>): void {
  k.post(path, documented(op, schema), async (request, reply) => {
    const call = await callOf(deps, request, schema);
    const body = request.body as Record<string, unknown>;
    const executed = await execute(deps.app, idempotencyOf(call.who, path, body), (unit) => work(unit, call), (result) => answer(body.requestId, render(result, call)),
      prepare ? { before: () => prepare(call) } : {});
    return reply.status(executed.status).send(executed.body);
  });
}

/** A call that reads, or runs use cases with transactions of their own; its answer is stored after. */
export function readRoute<S extends z.ZodType, T>(k: FastifyInstance, deps: KowriDeps, path: string, op: KowriOperation, schema: S, run: (call: Call<z.infer<S>>) => Promise<T>, render: (result: T, call: Call<z.infer<S>>) => unknown): void {
  k.post(path, documented(op, schema), async (request, reply) => {
    const call = await callOf(deps, request, schema);
    const body = request.body as Record<string, unknown>;
    const executed = await executeOutside(deps.app, idempotencyOf(call.who, path, body), () => run(call), (result) => answer(body.requestId, render(result, call)));
    return reply.status(executed.status).send(executed.body);
  });
}

async function callOf<S extends z.ZodType>(deps: KowriDeps, request: FastifyRequest, schema: S): Promise<Call<z.infer<S>>> {
  const raw = request.body as Record<string, unknown> | undefined;
  const body = raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {};
  const header = request.headers.appid;
  const who = await authenticateKowri(deps.app, Array.isArray(header) ? header[0] : header, body.appReference, body.secret);
  return { input: parseBody(schema, request.body), who, request };
}
