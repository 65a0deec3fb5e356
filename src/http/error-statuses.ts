import type { ErrorCode } from '../core/errors.js';

/** The native API's one table from stable error code to HTTP status. */
export const NATIVE_STATUS: Record<ErrorCode, number> = {
  invalid_json: 400, unknown_field: 400, parameter_missing: 400, parameter_invalid: 400, amount_invalid: 400, currency_invalid: 400,
  line_items_mismatch: 400, currency_mismatch: 400, short_code_invalid: 400, patron_code_invalid: 400, idempotency_key_invalid: 400, method_not_allowed: 400,
  amount_exceeds_authorized: 400, amount_exceeds_refundable: 400, partial_payment_not_allowed: 400, amount_required: 409,
  http_method_not_allowed: 405, payload_too_large: 413, unsupported_media_type: 415,
  missing_api_key: 401, invalid_api_key: 401, permission_denied: 403, test_mode_only: 403,
  not_found: 404, route_not_found: 404,
  terminal_busy: 409, duplicate_reference: 409, already_succeeded: 409, not_authorized: 409, not_prepared: 409,
  void_window_exceeded: 409, refund_window_exceeded: 409, already_refunded: 409, already_exists: 409, condition_already_set: 409, terminal_name_taken: 409, invalid_state: 409, request_expired: 409, conflict: 409, idempotency_in_progress: 409,
  idempotency_key_reused: 422,
  internal_error: 500, service_unavailable: 503,
};

export const TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 413: 'Content Too Large',
  415: 'Unsupported Media Type', 422: 'Unprocessable Content', 500: 'Internal Server Error', 503: 'Service Unavailable',
};
