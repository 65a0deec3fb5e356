// The wrapper's refusals: an HTTP status and (posgate's addition) MobilePay PoS v10's error code.
// One table from posgate's stable codes; the operation refines the few codes that depend on it.
import type { ErrorCode } from '../../core/errors.js';
import { DomainError } from '../../core/errors.js';

export interface MobilePayRefusal {
  status: number;
  /** MobilePay PoS v10's code, or null where it has none (auth). */
  errorCode: string | null;
}

/** What an operation was doing: picks the code of "not found" and "wrong state". */
export type Operation = 'payment' | 'ready' | 'capture' | 'cancel' | 'refund' | 'refund-capture' | 'refund-cancel' | 'pos' | 'store' | 'token' | 'other';

const BY_CODE: Partial<Record<ErrorCode, MobilePayRefusal>> = {
  missing_api_key: { status: 401, errorCode: null },
  invalid_api_key: { status: 401, errorCode: null },
  permission_denied: { status: 403, errorCode: '1400' },
  test_mode_only: { status: 403, errorCode: '1400' },
  terminal_busy: { status: 409, errorCode: '1301' },
  not_prepared: { status: 409, errorCode: '1303' },
  not_authorized: { status: 409, errorCode: '1304' },
  amount_exceeds_authorized: { status: 409, errorCode: '1305' },
  duplicate_reference: { status: 409, errorCode: '1306' },
  already_succeeded: { status: 409, errorCode: '1300' },
  amount_exceeds_refundable: { status: 409, errorCode: '1355' },
  refund_window_exceeded: { status: 409, errorCode: '1355' },
  payload_too_large: { status: 413, errorCode: '1099' },
  unsupported_media_type: { status: 415, errorCode: '1099' },
  internal_error: { status: 500, errorCode: '2000' },
  service_unavailable: { status: 503, errorCode: '2000' },
};

/** What was not found (the facts' kind) → v10's code: PoS 1000, payment 1001, store 1002, refund 1004. */
const NOT_FOUND: Record<string, string> = { 'payment request': '1001', refund: '1004', terminal: '1000', 'point of sale': '1000', 'point of sale on terminal': '1000', store: '1002' };
const WRONG_STATE: Partial<Record<Operation, string>> = {
  ready: '1303', capture: '1304', cancel: '1300', refund: '1354', 'refund-capture': '1351', 'refund-cancel': '1352', pos: '1300',
};

export function refusalOf(error: DomainError, operation: Operation): MobilePayRefusal {
  const mapped = BY_CODE[error.code];
  if (mapped) return mapped;
  if (error.code === 'route_not_found') return { status: 404, errorCode: null };
  if (error.code === 'not_found') return { status: 404, errorCode: NOT_FOUND[String(error.facts.kind)] ?? (error.param === 'terminalId' ? '1000' : '1001') };
  if (error.code === 'already_exists') return { status: 409, errorCode: operation === 'token' ? '1201' : '1200' };
  if (['invalid_state', 'request_expired', 'amount_required', 'conflict', 'idempotency_in_progress', 'void_window_exceeded'].includes(error.code))
    return { status: 409, errorCode: WRONG_STATE[operation] ?? '1300' };
  return { status: 400, errorCode: FIELD_CODES[error.param ?? ''] ?? '1099' };
}

/** Validation codes of v10 per parameter; any other bad parameter is 1099. */
const FIELD_CODES: Record<string, string> = { amount: '1102', userMinimumAge: '1105', orderId: '1113', refundOrderId: '1114', reference: '1114' };

/** A refusal named by the wrapper's own rules (what posgate's core has no code for). */
export function invalidParameter(param: string, message: string): DomainError {
  return new DomainError('parameter_invalid', message, param);
}
