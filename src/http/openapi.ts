// Completes the native API's OpenAPI document, so that it says everything the server does: each
// operation's error responses (problem+json, under the status src/http/error-statuses.ts gives each
// code) are generated from what the route is — authenticated, with a body, parameters, an
// Idempotency-Key — and from the codes its use case answers with (`x-errors` on the route,
// src/dialects/shared/openapi.ts). test/contract/openapi.test.ts walks the result.
import { ERROR_CODES, type ErrorCode } from '../core/errors.js';
import { NATIVE_STATUS, TITLES } from './error-statuses.js';

type Schema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[]; $ref?: string };
interface Parameter { in: string; name: string; required?: boolean }
interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, Record<string, unknown>>;
  'x-errors'?: ErrorCode[];
}
export interface OpenApiDocument {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema>; headers?: Record<string, unknown> };
  [key: string]: unknown;
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;
/** The methods whose missing body the server reads as {} (server.ts): only theirs can be optional. */
export const EMPTY_BODY_METHODS = ['post', 'put', 'patch'] as const;

const PROBLEM = '#/components/schemas/Problem';

/** The body's schema, following one local $ref. */
function bodySchema(document: OpenApiDocument, operation: Operation): Schema | undefined {
  const schema = operation.requestBody?.content?.['application/json']?.schema;
  const ref = schema?.$ref?.replace('#/components/schemas/', '');
  return ref ? document.components?.schemas?.[ref] : schema;
}

/** The codes an operation answers with because of what it is, beside those its use case names. */
export function impliedErrors(document: OpenApiDocument, operation: Operation): ErrorCode[] {
  const codes: ErrorCode[] = ['missing_api_key', 'invalid_api_key', 'service_unavailable', 'internal_error'];
  const parameters = operation.parameters ?? [];
  const query = parameters.filter((p) => p.in === 'query');
  if (parameters.some((p) => p.in === 'path' || p.in === 'query')) codes.push('parameter_invalid');
  // the query schemas are strict: a parameter they do not name is refused
  if (query.length > 0) codes.push('unknown_field');
  if (query.some((p) => p.required)) codes.push('parameter_missing');
  if (parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key')) {
    codes.push('idempotency_key_invalid', 'idempotency_key_reused', 'idempotency_in_progress', 'conflict');
  }
  const body = bodySchema(document, operation);
  if (operation.requestBody) codes.push('invalid_json', 'payload_too_large', 'unsupported_media_type', 'parameter_invalid');
  if (body?.additionalProperties === false) codes.push('unknown_field');
  if (body?.required?.length) codes.push('parameter_missing');
  if (body?.properties?.amount) codes.push('amount_invalid');
  if (body?.properties?.currency) codes.push('currency_invalid');
  return codes;
}

function problemResponse(status: number, codes: ErrorCode[]) {
  return {
    description: `${TITLES[status] ?? 'Error'}: ${codes.join(', ')}`,
    headers: { 'Request-Id': { $ref: '#/components/headers/RequestId' }, ...(status === 503 ? { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } : {}) },
    content: {
      'application/problem+json': {
        // the Problem schema, with `code` narrowed to what this operation answers under this status
        schema: { allOf: [{ $ref: PROBLEM }, { type: 'object', properties: { code: { type: 'string', enum: codes } } }] },
      },
    },
  };
}

const SUCCESS: Record<string, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted: queued' };

/** Drops the named schemas nothing refers to (the zod registry holds the input twin of each). */
function pruneSchemas(document: OpenApiDocument): void {
  const schemas = document.components?.schemas;
  if (!schemas) return;
  const used = new Set<string>();
  const visit = (value: unknown) => {
    for (const match of JSON.stringify(value).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      const name = match[1] as string;
      if (used.has(name)) continue;
      used.add(name);
      visit(schemas[name]);
    }
  };
  visit(document.paths);
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
}

// Which request bodies a client may leave out. The server reads a missing body of a POST, PUT or
// PATCH as {} (server.ts), so a body is optional exactly when {} passes its schema: an action
// whose fields all have defaults (cancel, capture, void, …). @fastify/swagger marks every body
// required, which would make a generated client send `{}` for nothing.

/** Whether `{}` is valid against `schema` (JSON Schema as the documents use it; $refs local). */
function acceptsEmptyObject(schema: Record<string, unknown> | undefined, document: OpenApiDocument, seen = new Set<string>()): boolean {
  if (!schema) return true;
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    if (seen.has(name)) return false; // a cycle says nothing about {}: keep the body required
    return acceptsEmptyObject(document.components?.schemas?.[name], document, new Set([...seen, name]));
  }
  const accepts = (branch: unknown) => acceptsEmptyObject(branch as Record<string, unknown>, document, seen);
  if (Array.isArray(schema.allOf) && !schema.allOf.every(accepts)) return false;
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some(accepts)) return false;
  if (Array.isArray(schema.oneOf) && schema.oneOf.filter(accepts).length !== 1) return false;
  // what these documents never use, {} is not judged against: the body stays required
  if ('not' in schema || 'if' in schema || 'const' in schema || 'enum' in schema) return false;
  const types = schema.type === undefined ? ['object'] : ([] as unknown[]).concat(schema.type);
  if (!types.includes('object')) return false;
  if (Array.isArray(schema.required) && schema.required.length > 0) return false;
  return !(typeof schema.minProperties === 'number' && schema.minProperties > 0);
}

/** Marks each operation's body required or not by its schemas (every content type must take {}). */
export function markOptionalBodies<T extends OpenApiDocument>(document: T): T {
  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const body = pathItem[method]?.requestBody;
      if (!body) continue;
      const contents = Object.values(body.content ?? {});
      const defaultsToEmpty = (EMPTY_BODY_METHODS as readonly string[]).includes(method);
      body.required = !defaultsToEmpty || contents.length === 0 || !contents.every((content) => acceptsEmptyObject(content.schema, document));
    }
  }
  return document;
}

/** Adds every operation's error responses and the headers every answer carries. */
export function completeDocument<T extends OpenApiDocument>(document: T): T {
  const components = (document.components ??= {});
  components.headers = {
    ...components.headers,
    RequestId: { description: 'The id of this request, in the logs too', schema: { type: 'string' } },
    RetryAfter: { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
    IdempotentReplayed: { description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key', schema: { type: 'string', enum: ['true'] } },
  };
  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (!operation) continue;
      const codes = new Set([...impliedErrors(document, operation), ...(operation['x-errors'] ?? [])]);
      delete operation['x-errors'];
      const responses = (operation.responses ??= {});
      const idempotent = operation.parameters?.some((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key');
      for (const [status, response] of Object.entries(responses)) {
        if (!status.startsWith('2')) continue;
        if (response.description === 'Default Response') response.description = SUCCESS[status] ?? 'Success';
        response.headers = { 'Request-Id': { $ref: '#/components/headers/RequestId' }, ...(idempotent ? { 'Idempotent-Replayed': { $ref: '#/components/headers/IdempotentReplayed' } } : {}) };
      }
      // in the order of ERROR_CODES, so the document is the same on every build
      const byStatus = new Map<number, ErrorCode[]>();
      for (const code of ERROR_CODES.filter((c) => codes.has(c))) byStatus.set(NATIVE_STATUS[code], [...(byStatus.get(NATIVE_STATUS[code]) ?? []), code]);
      for (const status of [...byStatus.keys()].sort()) responses[String(status)] = problemResponse(status, byStatus.get(status)!);
    }
  }
  pruneSchemas(document);
  return markOptionalBodies(document);
}
