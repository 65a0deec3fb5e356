// Kowri's statusCode and HTTP status from posgate's error codes: one table, every code mapped (a
// code added to core fails typecheck here until it is). Request faults are 4xx (posgate's rule:
// bad input is a clear 4xx); business refusals answer HTTP 200 with `success: false`, as Kowri's
// docs show. KOWRI_ERROR_STATUS=provider answers every refusal but a server fault with 200.
import type { ErrorCode } from '../../core/errors.js';

export type KowriStatusCode = 'SUCCESS' | 'INVALID_REQUEST' | 'UNAUTHORIZED' | 'NOT_FOUND' | 'DUPLICATE_REQUEST' | 'SYSTEM_ERROR';

/** [statusCode, HTTP status]. */
export type KowriRefusal = readonly [KowriStatusCode, number];

const BAD: KowriRefusal = ['INVALID_REQUEST', 400];
const REFUSED: KowriRefusal = ['INVALID_REQUEST', 200];
const AUTH: KowriRefusal = ['UNAUTHORIZED', 401];

export const KOWRI_ERRORS: Record<ErrorCode, KowriRefusal> = {
  invalid_json: BAD, unknown_field: BAD, parameter_missing: BAD, parameter_invalid: BAD, amount_invalid: BAD, currency_invalid: BAD,
  payload_too_large: ['INVALID_REQUEST', 413], unsupported_media_type: ['INVALID_REQUEST', 415], line_items_mismatch: BAD,
  short_code_invalid: BAD, patron_code_invalid: BAD, idempotency_key_invalid: BAD, method_not_allowed: BAD, currency_mismatch: BAD,
  amount_required: BAD,
  missing_api_key: AUTH, invalid_api_key: AUTH, permission_denied: ['UNAUTHORIZED', 403], test_mode_only: ['UNAUTHORIZED', 403],
  not_found: ['NOT_FOUND', 200], route_not_found: ['NOT_FOUND', 404], http_method_not_allowed: ['NOT_FOUND', 405],
  duplicate_reference: REFUSED, terminal_busy: REFUSED, already_succeeded: REFUSED, not_authorized: REFUSED, not_prepared: REFUSED,
  void_window_exceeded: REFUSED, amount_exceeds_authorized: REFUSED, amount_exceeds_refundable: REFUSED, partial_payment_not_allowed: REFUSED,
  invalid_state: REFUSED, request_expired: REFUSED, terminal_name_taken: REFUSED, refund_window_exceeded: REFUSED, already_exists: REFUSED,
  condition_already_set: REFUSED, already_refunded: REFUSED,
  idempotency_key_reused: ['DUPLICATE_REQUEST', 200], idempotency_in_progress: ['DUPLICATE_REQUEST', 409],
  conflict: ['SYSTEM_ERROR', 409], internal_error: ['SYSTEM_ERROR', 500], service_unavailable: ['SYSTEM_ERROR', 503],
};

/** The engine's words for its idempotency refusals, in Kowri's terms: the key is the body's requestId. */
const IN_KOWRI_TERMS: Partial<Record<ErrorCode, string>> = {
  idempotency_key_reused: 'This requestId was already used with a different request; send a new requestId for a new request.',
  idempotency_in_progress: 'A call with this requestId is still being answered; retry shortly with the same requestId.',
};

/** A refusal's statusMessage: posgate's message, said of the requestId where the engine names its Idempotency-Key. */
export function statusMessageOf(code: ErrorCode, message: string): string {
  return IN_KOWRI_TERMS[code] ?? message.replaceAll('Idempotency-Key', 'requestId');
}

/** The HTTP status a refusal is sent with, by the KOWRI_ERROR_STATUS setting. */
export function httpStatusOf(refusal: KowriRefusal, mode: 'strict' | 'provider'): number {
  const [, status] = refusal;
  return mode === 'provider' && status < 500 ? 200 : status;
}
