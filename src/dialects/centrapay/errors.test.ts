import { describe, expect, it } from 'vitest';
import { DomainError, ERROR_CODES, type ErrorCode } from '../../core/errors.js';
import { bodyOf, CENTRAPAY_ERRORS, centrapayErrorOf, type Operation } from './errors.js';

const OPERATIONS: Operation[] = ['create', 'read', 'pay', 'cancel', 'void', 'refund', 'confirm', 'release', 'condition', 'other'];
// conflict: posgate's own "retry the request", which names no state of the request's
const SERVER: ErrorCode[] = ['internal_error', 'service_unavailable', 'conflict'];
const AUTH: ErrorCode[] = ['missing_api_key', 'invalid_api_key'];
/** The facts an error may carry: none of them may move a code out of its range. */
const VARIANTS: Record<string, unknown>[] = [
  {}, { kind: 'terminal' }, { kind: '__proto__' }, { refundable: 0 }, { refundable: 5 },
  ...['created', 'pending', 'authorized', 'succeeded', 'cancelled', 'expired', 'failed'].map((status) => ({ status, statusReason: null })),
  { status: 'succeeded', statusReason: 'released' },
];

describe('Centrapay error table', () => {
  it('maps every core code itself: none falls through to a default', () => {
    expect(Object.keys(CENTRAPAY_ERRORS).sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each([...ERROR_CODES])('%s is a 4xx in every operation (5xx only for internal_error, service_unavailable and conflict)', (code) => {
    for (const operation of OPERATIONS) {
      for (const facts of VARIANTS) {
        const refusal = centrapayErrorOf(new DomainError(code, 'refused', undefined, facts), operation);
        const { statusCode, message } = refusal;
        if (SERVER.includes(code)) expect(statusCode, `${code} in ${operation}`).toBeGreaterThanOrEqual(500);
        else expect(statusCode, `${code} in ${operation}`).toBeGreaterThanOrEqual(400);
        expect(statusCode, `${code} in ${operation}`).toBeLessThan(SERVER.includes(code) ? 600 : 500);
        if (AUTH.includes(code)) expect(statusCode).toBe(401);
        expect(message).not.toBe('');
        expect(bodyOf(refusal).error).not.toBe('Error'); // a status Centrapay's body has a reason for
      }
    }
  });

  it('business rules are 403 with Centrapay\'s code, malformed input 400 naming the field', () => {
    expect(centrapayErrorOf(new DomainError('invalid_state', 'x', undefined, { status: 'cancelled' }), 'void')).toEqual({ statusCode: 403, message: 'REQUEST_CANCELLED' });
    expect(centrapayErrorOf(new DomainError('amount_exceeds_refundable', 'x', undefined, { refundable: 0 }), 'refund')).toEqual({ statusCode: 403, message: 'ALREADY_REFUNDED' });
    expect(centrapayErrorOf(new DomainError('parameter_invalid', 'value.amount: bad', 'value.amount'), 'create')).toEqual({ statusCode: 400, message: 'value.amount: bad' });
    expect(centrapayErrorOf(new DomainError('unsupported_media_type', 'x'), 'create').statusCode).toBe(415);
    expect(centrapayErrorOf(new DomainError('not_found', 'x', undefined, { kind: 'constructor' }), 'read')).toEqual({ statusCode: 403, message: 'PAYMENT_REQUEST_NOT_FOUND' });
    // confirm on a pre-auth that ended before any release is named as it ended; one released stays PRE_AUTH_RELEASED
    expect(centrapayErrorOf(new DomainError('invalid_state', 'x', undefined, { status: 'cancelled', statusReason: 'cancelled_by_merchant' }), 'confirm')).toEqual({ statusCode: 403, message: 'REQUEST_CANCELLED' });
    expect(centrapayErrorOf(new DomainError('invalid_state', 'x', undefined, { status: 'expired', statusReason: 'expired' }), 'confirm')).toEqual({ statusCode: 403, message: 'REQUEST_EXPIRED' });
    expect(centrapayErrorOf(new DomainError('invalid_state', 'x', undefined, { status: 'cancelled', statusReason: 'released' }), 'confirm')).toEqual({ statusCode: 403, message: 'PRE_AUTH_RELEASED' });
    expect(centrapayErrorOf(new DomainError('invalid_state', 'x', undefined, { status: 'expired', statusReason: 'authorization_expired' }), 'release')).toEqual({ statusCode: 403, message: 'PRE_AUTH_RELEASED' });
    // a transient conflict says retry, not a state the request is not in (PRE_AUTH_RELEASED made a POS stop confirming)
    expect(centrapayErrorOf(new DomainError('conflict', 'retry'), 'confirm')).toEqual({ statusCode: 503, message: 'Service Unavailable' });
    // one carried out already is final: a 409 saying so, never a 5xx a POS would retry for ever
    expect(centrapayErrorOf(new DomainError('conflict', 'carried out', undefined, { carriedOut: true }), 'confirm')).toEqual({ statusCode: 409, message: 'carried out' });
  });
});
