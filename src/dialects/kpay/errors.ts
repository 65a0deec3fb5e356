// KPAY's response codes (NIBSS style) from posgate's error codes: one table, every code mapped.
import type { ErrorCode } from '../../core/errors.js';

export type KpayCode = '00' | '09' | '12' | '25' | '26' | '30' | '63' | '96';

export const RESPONSE_MESSAGES: Record<KpayCode, string> = {
  '00': 'Successful', '09': 'Pending', '12': 'Invalid transaction', '25': 'Unable to locate record', '26': 'Duplicate record',
  '30': 'Format error', '63': 'Security violation', '96': 'System malfunction',
};

/** [responseCode, HTTP status]: request faults are 4xx, business answers 200 as KPAY sends them. */
const FORMAT: [KpayCode, number] = ['30', 400];
const SECURITY: [KpayCode, number] = ['63', 401];
const INVALID: [KpayCode, number] = ['12', 200];

export const KPAY_ERRORS: Record<ErrorCode, [KpayCode, number]> = {
  invalid_json: FORMAT, unknown_field: FORMAT, parameter_missing: FORMAT, parameter_invalid: FORMAT, amount_invalid: FORMAT,
  currency_invalid: FORMAT, payload_too_large: FORMAT, unsupported_media_type: FORMAT, line_items_mismatch: FORMAT,
  short_code_invalid: FORMAT, patron_code_invalid: FORMAT, idempotency_key_invalid: FORMAT, method_not_allowed: FORMAT,
  amount_required: FORMAT, currency_mismatch: FORMAT,
  missing_api_key: SECURITY, invalid_api_key: SECURITY, permission_denied: ['63', 403], test_mode_only: ['63', 403],
  not_found: ['25', 200], route_not_found: ['25', 404], http_method_not_allowed: ['25', 405],
  duplicate_reference: ['26', 200],
  terminal_busy: INVALID, already_succeeded: INVALID, not_authorized: INVALID, not_prepared: INVALID, void_window_exceeded: INVALID,
  amount_exceeds_authorized: INVALID, amount_exceeds_refundable: INVALID, partial_payment_not_allowed: INVALID, invalid_state: INVALID,
  request_expired: INVALID, terminal_name_taken: INVALID, refund_window_exceeded: INVALID, already_exists: INVALID,
  condition_already_set: INVALID, already_refunded: INVALID, idempotency_key_reused: INVALID,
  conflict: ['96', 409], idempotency_in_progress: ['96', 409], internal_error: ['96', 500], service_unavailable: ['96', 503],
};
