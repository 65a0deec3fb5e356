// Centrapay's error body {statusCode, error, message: "<CODE>", reason?}: one table from posgate's codes,
// refined by what the operation was and the request's state when it was refused.
import type { DomainError, ErrorCode } from '../../core/errors.js';

export type Operation = 'create' | 'read' | 'pay' | 'cancel' | 'void' | 'refund' | 'confirm' | 'release' | 'condition' | 'other';

export interface CentrapayError {
  statusCode: number;
  message: string;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 413: 'Payload Too Large',
  415: 'Unsupported Media Type', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

/**
 * The error body. `reason` is Centrapay's "additional details" beside the code (its error-handling
 * guide): the human-readable why, sent when `message` is a code and the refusal is the caller's
 * (a 4xx), never a fault of the server's.
 */
export function bodyOf(error: CentrapayError, detail?: string) {
  const reason = detail && detail !== error.message && error.statusCode < 500 ? { reason: detail } : {};
  return { statusCode: error.statusCode, error: REASONS[error.statusCode] ?? 'Error', message: error.message, ...reason };
}

const forbidden = (message: string): CentrapayError => ({ statusCode: 403, message });

const NOT_FOUND: Record<string, string> = { 'payment request': 'PAYMENT_REQUEST_NOT_FOUND', terminal: 'TERMINAL_NOT_FOUND', condition: 'CONDITION_NOT_FOUND' };

/** A refusal because of the request's state: what Centrapay calls it in this operation. */
function stateCode(operation: Operation, status: string, reason: string | undefined): string {
  const released = reason === 'released';
  switch (operation) {
    case 'confirm':
    case 'release':
      if (status === 'created' || status === 'pending') return 'PRE_AUTH_PENDING';
      if (released || reason === 'authorization_expired' || status === 'succeeded' || status === 'authorized') return 'PRE_AUTH_RELEASED';
      // ended before any release: named as it ended (a cancel, a decline, the request's expiry)
      return status === 'expired' ? 'REQUEST_EXPIRED' : 'REQUEST_CANCELLED';
    case 'refund':
      // an authorization with nothing confirmed has nothing paid (what is confirmed is refundable at once)
      return 'NOT_PAID';
    case 'void':
      if (status === 'authorized') return 'PRE_AUTH_ALREADY_CONFIRMED';
      return status === 'expired' ? 'REQUEST_EXPIRED' : 'REQUEST_CANCELLED';
    case 'condition':
      return 'MERCHANT_NOT_AUTHORIZED';
    default:
      if (status === 'succeeded' || status === 'authorized') return released ? 'PRE_AUTH_RELEASED' : 'REQUEST_PAID';
      if (status === 'expired') return 'REQUEST_EXPIRED';
      return 'REQUEST_CANCELLED';
  }
}

/** How a code is refused: a fixed answer, or one that the operation and the error's facts pick. */
type Rule = CentrapayError | ((error: DomainError, operation: Operation) => CentrapayError);

type Facts = { kind?: string; status?: string; statusReason?: string | null; refundable?: number; carriedOut?: boolean };
const factsOf = (error: DomainError) => error.facts as Facts;

/** Malformed input: 400 with the human-readable message naming the field. */
const malformed: Rule = (error) => ({ statusCode: 400, message: error.message });
/** The request's state does not allow it: what Centrapay calls that in this operation. */
const byState: Rule = (error, operation) => forbidden(stateCode(operation, factsOf(error).status ?? '', factsOf(error).statusReason ?? undefined));

/**
 * Every core code, mapped (a code added to core fails typecheck here until it is): no code falls
 * through to a default. `terminal_name_taken` and `already_exists` cannot arise on a Centrapay
 * route (it names and issues nothing); they answer the conflict they are.
 */
export const CENTRAPAY_ERRORS = {
  // request shape
  invalid_json: malformed, unknown_field: malformed, parameter_missing: malformed, parameter_invalid: malformed,
  amount_invalid: malformed, currency_invalid: malformed, currency_mismatch: malformed, idempotency_key_invalid: malformed, method_not_allowed: malformed,
  line_items_mismatch: { statusCode: 400, message: 'LINE_ITEMS_SUM_CHECK_FAILED' },
  short_code_invalid: { statusCode: 400, message: 'CHECKSUM_FAILED' },
  patron_code_invalid: forbidden('PATRON_CODE_INVALID'),
  payload_too_large: { statusCode: 413, message: 'Payload Too Large' },
  unsupported_media_type: { statusCode: 415, message: 'Unsupported Media Type' },
  // auth and tenancy
  missing_api_key: { statusCode: 401, message: 'Missing authentication' },
  invalid_api_key: { statusCode: 401, message: 'Invalid authentication' },
  permission_denied: forbidden('FORBIDDEN'),
  test_mode_only: forbidden('FORBIDDEN'),
  not_found: (error) => {
    const kind = factsOf(error).kind ?? '';
    return forbidden(Object.hasOwn(NOT_FOUND, kind) ? NOT_FOUND[kind]! : 'PAYMENT_REQUEST_NOT_FOUND');
  },
  route_not_found: { statusCode: 404, message: 'Not Found' },
  http_method_not_allowed: { statusCode: 405, message: 'Method Not Allowed' },
  // business rules
  request_expired: forbidden('REQUEST_EXPIRED'),
  void_window_exceeded: forbidden('VOID_WINDOW_EXCEEDED'),
  duplicate_reference: forbidden('REPEAT_REFERENCE'),
  partial_payment_not_allowed: forbidden('INVALID_AMOUNT'),
  amount_exceeds_authorized: forbidden('INVALID_AMOUNT'),
  amount_exceeds_refundable: (error) => forbidden(factsOf(error).refundable === 0 ? 'ALREADY_REFUNDED' : 'INVALID_AMOUNT'),
  already_succeeded: forbidden('REQUEST_PAID'),
  already_refunded: forbidden('ALREADY_REFUNDED'),
  refund_window_exceeded: forbidden('REFUND_WINDOW_EXCEEDED'),
  condition_already_set: forbidden('CONDITION_ALREADY_SET'),
  invalid_state: byState, not_authorized: byState, amount_required: byState, not_prepared: byState, terminal_busy: byState,
  // posgate's own "retry the request" (concurrent operations outlasted their retries): no state of
  // the request's, so no state's code; a 5xx any client retries. One already carried out is final:
  // a 409 that says so (a 5xx would be retried for ever)
  conflict: (error) => (factsOf(error).carriedOut ? { statusCode: 409, message: error.message } : { statusCode: 503, message: 'Service Unavailable' }),
  terminal_name_taken: (error) => ({ statusCode: 409, message: error.message }),
  already_exists: (error) => ({ statusCode: 409, message: error.message }),
  // idempotency
  idempotency_key_reused: forbidden('IDEMPOTENT_OPERATION_FAILED'),
  idempotency_in_progress: { statusCode: 409, message: 'IDEMPOTENT_OPERATION_IN_PROGRESS' },
  // server
  internal_error: { statusCode: 500, message: 'Internal Server Error' },
  service_unavailable: { statusCode: 503, message: 'Service Unavailable' },
} satisfies Record<ErrorCode, Rule>;

/** Reasons the engine words for the native API (its headers), in Centrapay's terms instead. */
const CENTRAPAY_REASONS: Partial<Record<ErrorCode, string>> = {
  missing_api_key: 'No API key: send the merchant terminal key in the X-Api-Key header.',
  idempotency_key_reused: 'This idempotencyKey was already used with a different request; use a new key for a new request.',
  idempotency_in_progress: 'A request with this idempotencyKey is still being processed; retry shortly.',
};

/** The `reason` of a refusal: the engine's words, or Centrapay's where the engine's name another API's fields. */
export const reasonOf = (error: DomainError): string => CENTRAPAY_REASONS[error.code] ?? error.message;

export function centrapayErrorOf(error: DomainError, operation: Operation): CentrapayError {
  const rule: Rule = CENTRAPAY_ERRORS[error.code];
  return typeof rule === 'function' ? rule(error, operation) : rule;
}
