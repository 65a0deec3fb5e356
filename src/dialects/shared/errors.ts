// What any API surface needs to classify a failure: anything thrown while handling a request
// (a DomainError, a zod validation failure, a Fastify parsing error, or a bug) as a DomainError.
import type { FastifyError } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { StorageUnavailable } from '../../app/ports/persistence.js';
import { DomainError, isDomainError, type ErrorCode } from '../../core/errors.js';

/**
 * Whether a schema's complaint about `path` is that `body` lacks the field, as opposed to holding
 * something of the wrong type there. zod's issues do not carry the input unless asked to, so the
 * body itself is looked at: a number where a string belongs is named for what it is, not "required".
 */
export function isAbsent(body: unknown, path: readonly PropertyKey[]): boolean {
  let at: unknown = body;
  for (const key of path) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, key)) return true;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at === undefined;
}

export interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message: string;
  /** `absent`: the field is not in the input at all (src/http/zod-compilers.ts sets it from the input zod reports). */
  params?: { keys?: string[]; expected?: string; absent?: boolean };
}

/** The codes zod gives a value that is not there: invalid_type, or for an enum or a literal invalid_value, or for a union invalid_union. */
export const MISSING_KEYWORDS = new Set(['invalid_type', 'invalid_value', 'invalid_union']);

const HEADER_CODES: Record<string, ErrorCode> = { 'idempotency-key': 'idempotency_key_invalid' };
/** Path parameters whose refusal has a code of its own: the native short-code lookup's `code`. */
const PARAM_CODES: Record<string, ErrorCode> = { code: 'short_code_invalid' };

/** One bad field, as the native API's problem body lists them (`errors`). */
export interface FieldError {
  code: ErrorCode;
  param: string;
  detail: string;
}

/** One zod issue → the most specific stable code, naming the offending parameter. */
function issueError(issue: ValidationIssue, context: string | undefined): DomainError {
  const path = issue.instancePath.replace(/^\//, '').split('/').filter(Boolean);
  if (issue.keyword === 'unrecognized_keys') {
    const key = issue.params?.keys?.[0] ?? 'field';
    const param = [...path, key].join('.');
    return new DomainError('unknown_field', `Unknown field ${param}${context === 'querystring' ? ' in the query' : ''}.`, param);
  }
  // a header is named as it is written (Idempotency-Key), as every other answer about it names it; Node hands it over lower-cased
  const named = path.join('.');
  const param = (context === 'headers' ? named.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase()) : named) || (context ?? 'body');
  // Missing is what the input says (`absent`), whatever code zod gives a field of that type (an absent
  // enum is invalid_value, not invalid_type); a refinement's own issue is never read as missing. An
  // issue without `absent` (one not made by our validator compiler) falls back to zod's wording:
  // "received undefined" (which native Currency's own message repeats).
  const missing = MISSING_KEYWORDS.has(issue.keyword) && (issue.params?.absent ?? /received undefined/.test(issue.message));
  const top = path[0];
  let code: ErrorCode = missing ? 'parameter_missing' : 'parameter_invalid';
  if (context === 'headers' && top && HEADER_CODES[top]) code = HEADER_CODES[top];
  else if (context === 'params' && top && Object.hasOwn(PARAM_CODES, top)) code = PARAM_CODES[top] as ErrorCode;
  else if (!missing && path.at(-1) === 'amount' && path.length === 1) code = 'amount_invalid';
  else if (!missing && top === 'currency') code = 'currency_invalid';
  const what = context === 'headers' ? `header ${param}` : param;
  return new DomainError(code, missing ? `${what} is required.` : `${what}: ${issue.message}`, param);
}

/**
 * A zod validation failure: the first bad field decides the code and `param` (what clients already
 * read), and every bad field is listed in the facts' `errors`, so a caller fixes them all at once.
 */
export function validationError(issues: ValidationIssue[], context: string | undefined): DomainError {
  // an unknown key lists each of its keys; each field once, in the order zod found them
  const expanded = issues.flatMap((issue) => (issue.keyword === 'unrecognized_keys' && (issue.params?.keys?.length ?? 0) > 1 ? (issue.params?.keys ?? []).map((key) => ({ ...issue, params: { ...issue.params, keys: [key] } })) : [issue]));
  const all = expanded.map((issue) => issueError(issue, context));
  const errors: FieldError[] = [];
  for (const error of all) if (!errors.some((e) => e.param === error.param)) errors.push({ code: error.code, param: error.param ?? '', detail: error.message });
  const first = all[0] as DomainError;
  const more = errors.length > 1 ? ` (${errors.length} fields are invalid: ${errors.map((e) => e.param).join(', ')}; see errors)` : '';
  return new DomainError(first.code, first.message + more, first.param, { errors });
}

const FASTIFY_CODES: Record<string, [ErrorCode, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ['payload_too_large', 'The request body is larger than 256 KiB.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['invalid_json', 'The Content-Length does not match the body.'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['invalid_json', 'The body is not valid JSON.'],
  FST_ERR_BAD_URL: ['parameter_invalid', 'The URL is not valid: a percent-encoded part of its path does not decode.'],
  FST_ERR_MAX_PARAM_LENGTH: ['parameter_invalid', 'A part of the URL path is too long.'],
};

/**
 * Turns anything thrown while handling a request into a DomainError; unknown errors are bugs (500).
 * `bodyTypes`: the media types the caller's API takes, named when a body of another is refused.
 */
export function toDomainError(error: unknown, bodyTypes: readonly string[] = ['application/json']): { error: DomainError; bug: boolean } {
  if (isDomainError(error)) return { error, bug: false };
  if (error instanceof StorageUnavailable) {
    return { error: new DomainError('service_unavailable', 'The database is unavailable for a moment; retry shortly, with the same Idempotency-Key.'), bug: false };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    return { error: validationError(error.validation as unknown as ValidationIssue[], (error as { validationContext?: string }).validationContext), bug: false };
  }
  const fastifyError = error as FastifyError;
  const mapped = fastifyError?.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (fastifyError?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const send = bodyTypes.length === 1 && bodyTypes[0] === 'application/json' ? 'Send JSON with Content-Type: application/json.' : `Send the body with Content-Type: ${bodyTypes.join(' or ')}.`;
    return { error: new DomainError('unsupported_media_type', send, 'Content-Type'), bug: false };
  }
  if (mapped) return { error: new DomainError(mapped[0], mapped[1]), bug: false };
  if (fastifyError instanceof SyntaxError || (fastifyError?.statusCode === 400 && /JSON/i.test(fastifyError.message))) {
    return { error: new DomainError('invalid_json', `The body is not valid JSON: ${fastifyError.message}`), bug: false };
  }
  if (fastifyError?.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return { error: new DomainError('parameter_invalid', fastifyError.message), bug: false };
  }
  return { error: new DomainError('internal_error', 'Something went wrong on our side; the request may be retried with the same Idempotency-Key.'), bug: true };
}
