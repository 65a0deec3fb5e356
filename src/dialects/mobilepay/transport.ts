// The wrapper's transport: parameters from the query and the body, the {success, errors, …}
// envelope on every answer, JSON or XML as Accept asks, and accessToken + bioCode on every call.
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { App, Caller } from '../../app/context.js';
import { authenticateDialect } from '../../app/use-cases/dialect-credentials.js';
import { DomainError } from '../../core/errors.js';
import { toDomainError } from '../shared/errors.js';
import { refusalOf, type Operation } from './errors.js';
import { documented, type Credentials, type OperationDoc } from './openapi.js';
import { toXml } from './xml.js';

export const DIALECT = 'mobilepay';

/** XML when Accept names an XML type before any JSON one (JSON is the default). */
export function wantsXml(accept: string | undefined): boolean {
  for (const part of (accept ?? '').split(',')) {
    const type = part.split(';')[0]?.trim().toLowerCase();
    if (type === 'application/json' || type === 'text/json') return false;
    if (type === 'application/xml' || type === 'text/xml') return true;
  }
  return false;
}

export function send(request: FastifyRequest, reply: FastifyReply, status: number, body: Record<string, unknown>): FastifyReply {
  reply.status(status).header('cache-control', 'no-store');
  if (wantsXml(request.headers.accept)) return reply.type('application/xml; charset=utf-8').send(toXml(body));
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
}

/** What a MobilePay call's body may be (index.ts): JSON, the wrapper's XML, or a form. */
const BODY_TYPES = ['application/json', 'application/xml', 'text/xml', 'application/x-www-form-urlencoded'];

export function sendRefusal(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const { error: problem, bug } = toDomainError(error, BODY_TYPES);
  if (bug) request.log.error({ err: error }, 'unhandled error');
  const operation = (request.routeOptions.config as { operation?: Operation } | undefined)?.operation ?? 'other';
  const { status, errorCode } = refusalOf(problem, operation);
  return send(request, reply, status, { success: false, errors: [callersWords(problem, request)], errorCode });
}

/** What the caller sent for an object the core could not find: the POS knows its paymentId, not posgate's pr_ id. */
const SENT_AS: Record<string, string> = { 'payment request': 'paymentId', refund: 'refundId' };

/** The refusal's message, naming a missing payment or refund by the id the caller sent. */
function callersWords(problem: DomainError, request: FastifyRequest): string {
  const param = problem.code === 'not_found' ? SENT_AS[String(problem.facts.kind)] : undefined;
  if (!param || !Object.hasOwn(SENT_AS, String(problem.facts.kind))) return problem.message;
  let sent: unknown;
  try {
    sent = paramsOf(request)[param];
  } catch {
    return problem.message;
  }
  return typeof sent === 'string' && sent !== '' ? `No payment${param === 'refundId' ? ' refund' : ''} with ${param} ${sent}.` : problem.message;
}

/** Query and body merged (body fields win): the wrapper binds both by name. */
export function paramsOf(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body)))
    throw new DomainError('invalid_json', 'The body must be one object whose fields are the parameters.');
  const query = request.query as Record<string, unknown>;
  // a parameter given twice in the query reaches here as an array: no one value of it is the one meant
  for (const [name, value] of Object.entries(query)) {
    if (Array.isArray(value)) throw new DomainError('parameter_invalid', `${name} is given more than once in the query; give it once.`, name);
  }
  return { ...query, ...(body as Record<string, unknown> | undefined) };
}

const single = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** accessToken + bioCode, from wherever the call put them. */
export async function authenticate(app: App, params: Record<string, unknown>): Promise<Caller> {
  const token = single(params.accessToken);
  const bioCode = single(params.bioCode);
  if (!token || !bioCode) throw new DomainError('missing_api_key', 'accessToken and bioCode are required on every call.');
  return authenticateDialect(app, DIALECT, bioCode, token);
}

export interface Call {
  params: Record<string, unknown>;
  caller: Caller;
}

export interface OperationSpec {
  path: string;
  methods?: HTTPMethods[];
  operation: Operation;
  /** Its part of the dialect's OpenAPI document (./openapi.ts). */
  doc: OperationDoc;
}

/**
 * Registers one wrapper operation whose answer's fields go into a success envelope: one route per
 * method, so that each has an operationId of its own in the document. No HEAD route.
 */
function register(m: FastifyInstance, spec: OperationSpec, credentials: Credentials, answer: (params: Record<string, unknown>) => Promise<Record<string, unknown>>): void {
  const methods = spec.methods ?? ['GET'];
  for (const method of methods) {
    m.route({
      method,
      url: spec.path,
      // the wrapper changes state with GET: HEAD must not run the handler (Fastify's default would),
      // so it is no route here and gets the dialect's 405 (index.ts)
      exposeHeadRoute: false,
      config: { operation: spec.operation },
      ...documented(spec.doc, method, credentials, methods),
      handler: async (request, reply) => send(request, reply, 200, { success: true, errors: [], ...(await answer(paramsOf(request))) }),
    });
  }
}

/** An operation of a merchant: accessToken + bioCode first, then the handler. */
export function operation(m: FastifyInstance, app: App, spec: OperationSpec, handler: (call: Call) => Promise<Record<string, unknown>>): void {
  register(m, spec, 'token', async (params) => handler({ params, caller: await authenticate(app, params) }));
}

/** manage/token and token/reset: they check their own credentials. */
export function unauthenticatedOperation(m: FastifyInstance, spec: OperationSpec, handler: (params: Record<string, unknown>) => Promise<Record<string, unknown>>): void {
  register(m, spec, 'own', handler);
}
