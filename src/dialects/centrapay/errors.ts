// Centrapay's error body {statusCode, error, message: "<CODE>"}: one table from posgate's codes,
// refined by what the operation was and the request's state when it was refused.
import type { DomainError, ErrorCode } from '../../core/errors.js';

export type Operation = 'create' | 'read' | 'pay' | 'cancel' | 'void' | 'refund' | 'confirm' | 'release' | 'condition' | 'other';

export interface CentrapayError {
  statusCode: number;
  message: string;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large',
  415: 'Unsupported Media Type', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

export function bodyOf(error: CentrapayError) {
  return { statusCode: error.statusCode, error: REASONS[error.statusCode] ?? 'Error', message: error.message };
}

const forbidden = (message: string): CentrapayError => ({ statusCode: 403, message });

const FIXED: Partial<Record<ErrorCode, CentrapayError>> = {
  missing_api_key: { statusCode: 401, message: 'Missing authentication' },
  invalid_api_key: { statusCode: 401, message: 'Invalid authentication' },
  route_not_found: { statusCode: 404, message: 'Not Found' },
  line_items_mismatch: { statusCode: 400, message: 'LINE_ITEMS_SUM_CHECK_FAILED' },
  short_code_invalid: { statusCode: 400, message: 'CHECKSUM_FAILED' },
  patron_code_invalid: forbidden('PATRON_CODE_INVALID'),
  permission_denied: forbidden('FORBIDDEN'),
  test_mode_only: forbidden('FORBIDDEN'),
  request_expired: forbidden('REQUEST_EXPIRED'),
  void_window_exceeded: forbidden('VOID_WINDOW_EXCEEDED'),
  duplicate_reference: forbidden('REPEAT_REFERENCE'),
  partial_payment_not_allowed: forbidden('INVALID_AMOUNT'),
  amount_exceeds_authorized: forbidden('INVALID_AMOUNT'),
  condition_already_set: forbidden('CONDITION_ALREADY_SET'),
  idempotency_key_reused: forbidden('IDEMPOTENT_OPERATION_FAILED'),
  idempotency_in_progress: { statusCode: 409, message: 'IDEMPOTENT_OPERATION_IN_PROGRESS' },
  payload_too_large: { statusCode: 413, message: 'Payload Too Large' },
  internal_error: { statusCode: 500, message: 'Internal Server Error' },
  service_unavailable: { statusCode: 503, message: 'Service Unavailable' },
};

const NOT_FOUND: Record<string, string> = { 'payment request': 'PAYMENT_REQUEST_NOT_FOUND', terminal: 'TERMINAL_NOT_FOUND', condition: 'CONDITION_NOT_FOUND' };

/** A refusal because of the request's state: what Centrapay calls it in this operation. */
function stateCode(operation: Operation, status: string, reason: string | undefined): string {
  const released = reason === 'released';
  switch (operation) {
    case 'confirm':
    case 'release':
      if (status === 'created' || status === 'pending') return 'PRE_AUTH_PENDING';
      return 'PRE_AUTH_RELEASED';
    case 'refund':
      return status === 'authorized' ? 'PRE_AUTH_PENDING' : 'NOT_PAID';
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

export function centrapayErrorOf(error: DomainError, operation: Operation): CentrapayError {
  const fixed = FIXED[error.code];
  if (fixed) return fixed;
  const facts = error.facts as { kind?: string; status?: string; statusReason?: string; refundable?: number };
  if (error.code === 'not_found') return forbidden(NOT_FOUND[facts.kind ?? ''] ?? 'PAYMENT_REQUEST_NOT_FOUND');
  if (error.code === 'amount_exceeds_refundable') return forbidden(facts.refundable === 0 ? 'ALREADY_REFUNDED' : 'INVALID_AMOUNT');
  if (error.code === 'already_succeeded') return forbidden('REQUEST_PAID');
  if (error.code === 'refund_window_exceeded') return forbidden('REFUND_WINDOW_EXCEEDED');
  if (['invalid_state', 'not_authorized', 'amount_required', 'not_prepared', 'terminal_busy', 'conflict'].includes(error.code))
    return forbidden(stateCode(operation, facts.status ?? '', facts.statusReason ?? undefined));
  return { statusCode: 400, message: error.message };
}
