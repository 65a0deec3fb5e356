// CLIQ's refusal: `{"status":"nok","message":<what failed>,"error":<why>,"validated":false}`, with
// an HTTP status from one table of posgate's error codes (CLIQ documents bodies, not statuses).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '../../core/errors.js';
import { toDomainError } from '../shared/errors.js';

const BAD = 400;
const STATE = 409;

export const CLIQ_STATUSES: Record<ErrorCode, number> = {
  invalid_json: BAD, unknown_field: BAD, parameter_missing: BAD, parameter_invalid: BAD, amount_invalid: BAD,
  currency_invalid: BAD, payload_too_large: 413, unsupported_media_type: 415, line_items_mismatch: BAD,
  short_code_invalid: BAD, patron_code_invalid: BAD, idempotency_key_invalid: BAD, method_not_allowed: BAD,
  amount_required: BAD, currency_mismatch: BAD,
  missing_api_key: 401, invalid_api_key: 401, permission_denied: 403, test_mode_only: 403,
  not_found: 404, route_not_found: 404, http_method_not_allowed: 405,
  duplicate_reference: STATE, terminal_busy: STATE, already_succeeded: STATE, not_authorized: STATE, not_prepared: STATE,
  void_window_exceeded: STATE, amount_exceeds_authorized: STATE, amount_exceeds_refundable: STATE, partial_payment_not_allowed: STATE,
  invalid_state: STATE, request_expired: STATE, terminal_name_taken: STATE, refund_window_exceeded: STATE, already_exists: STATE,
  condition_already_set: STATE, already_refunded: STATE, idempotency_key_reused: STATE,
  conflict: 409, idempotency_in_progress: 409, internal_error: 500, service_unavailable: 503,
};

/** What each call says when it fails (CLIQ's own words where its docs show them). */
export const FAILED: Record<string, string> = {
  validate: 'Validate Credentials Failed!',
  create: 'Create POS Payment Failed!',
  getupdate: 'Get Payment Detail Failed!',
  get: 'Get Payment Detail Failed!',
  refund: 'Request Refund Failed!',
  sandbox: 'Sandbox Action Failed!',
};

/** What a CLIQ call's body may be (index.ts): a form, as PHP clients send, or JSON. */
const BODY_TYPES = ['application/x-www-form-urlencoded', 'application/json'];

export function sendRefusal(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const { error: problem, bug } = toDomainError(error, BODY_TYPES);
  if (bug) request.log.error({ err: error }, 'unhandled error');
  const call = (request.routeOptions.config as { call?: string } | undefined)?.call;
  const message = (call && FAILED[call]) ?? 'Request Failed!';
  return reply.status(CLIQ_STATUSES[problem.code]).send({ status: 'nok', message, error: problem.message, validated: false });
}
