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

/** How a code is refused: a fixed refusal, or one that the operation and the error's facts pick. */
type Rule = MobilePayRefusal | ((error: DomainError, operation: Operation) => MobilePayRefusal);

/** What was not found (the facts' kind) → v10's code: PoS 1000, payment 1001, store 1002, refund 1004. */
const NOT_FOUND: Record<string, string> = { 'payment request': '1001', refund: '1004', terminal: '1000', 'point of sale': '1000', 'point of sale on terminal': '1000', store: '1002' };
const WRONG_STATE: Partial<Record<Operation, string>> = {
  ready: '1303', capture: '1304', cancel: '1300', refund: '1354', 'refund-capture': '1351', 'refund-cancel': '1352', pos: '1300',
};

/** A bad parameter: 400 with v10's code of that parameter (1099 for any other). */
const badParameter: Rule = (error) => ({ status: 400, errorCode: Object.hasOwn(FIELD_CODES, error.param ?? '') ? FIELD_CODES[error.param!]! : '1099' });
/** The state does not allow it: 409 with what v10 calls that in this operation (1300 otherwise). */
const wrongState: Rule = (_error, operation) => ({ status: 409, errorCode: WRONG_STATE[operation] ?? '1300' });

/**
 * Every core code, mapped (a code added to core fails typecheck here until it is): no code falls
 * through to a default. Codes no wrapper operation can meet (conditions, terminal names, body
 * idempotency keys) still get the refusal that fits their kind.
 */
export const MOBILEPAY_REFUSALS = {
  // request shape
  invalid_json: badParameter, unknown_field: badParameter, parameter_missing: badParameter, parameter_invalid: badParameter,
  amount_invalid: badParameter, currency_invalid: badParameter, line_items_mismatch: badParameter, short_code_invalid: badParameter,
  patron_code_invalid: badParameter, idempotency_key_invalid: badParameter, method_not_allowed: badParameter,
  partial_payment_not_allowed: badParameter, currency_mismatch: badParameter,
  payload_too_large: { status: 413, errorCode: '1099' },
  unsupported_media_type: { status: 415, errorCode: '1099' },
  // auth and tenancy
  missing_api_key: { status: 401, errorCode: null },
  invalid_api_key: { status: 401, errorCode: null },
  permission_denied: { status: 403, errorCode: '1400' },
  test_mode_only: { status: 403, errorCode: '1400' },
  not_found: (error) => ({ status: 404, errorCode: notFoundCode(error) }),
  route_not_found: { status: 404, errorCode: null },
  http_method_not_allowed: { status: 405, errorCode: null },
  // business rules
  terminal_busy: { status: 409, errorCode: '1301' },
  not_prepared: { status: 409, errorCode: '1303' },
  not_authorized: { status: 409, errorCode: '1304' },
  amount_exceeds_authorized: { status: 409, errorCode: '1305' },
  duplicate_reference: { status: 409, errorCode: '1306' },
  already_succeeded: { status: 409, errorCode: '1300' },
  amount_exceeds_refundable: { status: 409, errorCode: '1355' },
  refund_window_exceeded: { status: 409, errorCode: '1355' },
  already_refunded: { status: 409, errorCode: '1355' },
  already_exists: (_error, operation) => ({ status: 409, errorCode: operation === 'token' ? '1201' : '1200' }),
  invalid_state: wrongState, request_expired: wrongState, amount_required: wrongState, void_window_exceeded: wrongState,
  // posgate's own "retry the request" (concurrent operations outlasted their retries): not the
  // payment's state, so no state's code; one already carried out is final (a 5xx would be retried for ever)
  conflict: (error, operation) => (error.facts.carriedOut === true ? wrongState(error, operation) : { status: 503, errorCode: '2000' }),
  terminal_name_taken: wrongState, condition_already_set: wrongState,
  // idempotency
  idempotency_in_progress: wrongState, idempotency_key_reused: wrongState,
  // server
  internal_error: { status: 500, errorCode: '2000' },
  service_unavailable: { status: 503, errorCode: '2000' },
} satisfies Record<ErrorCode, Rule>;

function notFoundCode(error: DomainError): string {
  const kind = String(error.facts.kind);
  if (Object.hasOwn(NOT_FOUND, kind)) return NOT_FOUND[kind]!;
  return error.param === 'terminalId' ? '1000' : '1001';
}

export function refusalOf(error: DomainError, operation: Operation): MobilePayRefusal {
  const rule: Rule = MOBILEPAY_REFUSALS[error.code];
  return typeof rule === 'function' ? rule(error, operation) : rule;
}

/** Validation codes of v10 per parameter; any other bad parameter is 1099. */
const FIELD_CODES: Record<string, string> = { amount: '1102', userMinimumAge: '1105', orderId: '1113', refundOrderId: '1114', reference: '1114' };

/** A refusal named by the wrapper's own rules (what posgate's core has no code for). */
export function invalidParameter(param: string, message: string): DomainError {
  return new DomainError('parameter_invalid', message, param);
}
