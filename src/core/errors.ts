// Domain errors carry a stable snake_case code and never an HTTP status:
// each API surface maps codes to its own statuses and envelopes (see http/error-statuses.ts).

export const ERROR_CODES = [
  // request shape
  'invalid_json', 'unknown_field', 'parameter_missing', 'parameter_invalid', 'amount_invalid', 'currency_invalid',
  'payload_too_large', 'unsupported_media_type', 'line_items_mismatch', 'short_code_invalid', 'patron_code_invalid',
  'idempotency_key_invalid', 'method_not_allowed', 'http_method_not_allowed',
  // auth and tenancy
  'missing_api_key', 'invalid_api_key', 'permission_denied', 'test_mode_only', 'not_found', 'route_not_found',
  // business rules
  'terminal_busy', 'duplicate_reference', 'already_succeeded', 'not_authorized', 'not_prepared', 'void_window_exceeded',
  'amount_exceeds_authorized', 'amount_exceeds_refundable', 'partial_payment_not_allowed', 'invalid_state',
  'request_expired', 'amount_required', 'conflict', 'terminal_name_taken', 'refund_window_exceeded', 'already_exists', 'condition_already_set',
  'currency_mismatch', 'already_refunded',
  // idempotency
  'idempotency_key_reused', 'idempotency_in_progress',
  // server
  'internal_error', 'service_unavailable',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly param?: string,
    /** Facts a dialect may need to pick its own code (e.g. the current status). */
    readonly facts: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
