import { describe, expect, it } from 'vitest';
import { DomainError, ERROR_CODES, type ErrorCode } from '../../core/errors.js';
import { MOBILEPAY_REFUSALS, refusalOf, type Operation } from './errors.js';

const OPERATIONS: Operation[] = ['payment', 'ready', 'capture', 'cancel', 'refund', 'refund-capture', 'refund-cancel', 'pos', 'store', 'token', 'other'];
// conflict: posgate's own "retry the request", which names no state of the request's
const SERVER: ErrorCode[] = ['internal_error', 'service_unavailable', 'conflict'];
const AUTH: ErrorCode[] = ['missing_api_key', 'invalid_api_key'];
/** The facts and parameters an error may carry: none of them may move a code out of its range. */
const VARIANTS: { param?: string; facts: Record<string, unknown> }[] = [
  { facts: {} }, { param: 'amount', facts: {} }, { param: 'terminalId', facts: {} }, { param: 'constructor', facts: { kind: '__proto__' } },
  { facts: { kind: 'refund' } }, { facts: { kind: 'store' } }, { facts: { status: 'succeeded' } }, { facts: { status: 'expired', statusReason: 'expired' } },
];

describe('MobilePay error table', () => {
  it('maps every core code itself: none falls through to a default', () => {
    expect(Object.keys(MOBILEPAY_REFUSALS).sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each([...ERROR_CODES])('%s is a 4xx in every operation (5xx only for internal_error, service_unavailable and conflict)', (code) => {
    for (const operation of OPERATIONS) {
      for (const { param, facts } of VARIANTS) {
        const { status, errorCode } = refusalOf(new DomainError(code, 'refused', param, facts), operation);
        if (SERVER.includes(code)) expect(status, `${code} in ${operation}`).toBeGreaterThanOrEqual(500);
        else expect(status, `${code} in ${operation}`).toBeGreaterThanOrEqual(400);
        expect(status, `${code} in ${operation}`).toBeLessThan(SERVER.includes(code) ? 600 : 500);
        if (AUTH.includes(code)) expect({ status, errorCode }).toEqual({ status: 401, errorCode: null });
        else if (code === 'route_not_found') expect({ status, errorCode }).toEqual({ status: 404, errorCode: null });
        else if (code === 'http_method_not_allowed') expect({ status, errorCode }).toEqual({ status: 405, errorCode: null });
        else expect(errorCode, `${code} in ${operation}`).toMatch(/^[12]\d{3}$/); // a v10 code
      }
    }
  });

  it('a refusal of the state is a conflict, bad input a 400, a missing object a 404', () => {
    expect(refusalOf(new DomainError('invalid_state', 'x', undefined, { status: 'succeeded' }), 'refund')).toEqual({ status: 409, errorCode: '1354' });
    expect(refusalOf(new DomainError('terminal_name_taken', 'x', 'name'), 'other').status).toBe(409);
    expect(refusalOf(new DomainError('idempotency_key_reused', 'x'), 'payment').status).toBe(409);
    // a transient conflict says retry (a 5xx), not a state the payment is not in
    expect(refusalOf(new DomainError('conflict', 'retry'), 'capture')).toEqual({ status: 503, errorCode: '2000' });
    expect(refusalOf(new DomainError('conflict', 'carried out', undefined, { carriedOut: true }), 'capture').status).toBe(409);
    expect(refusalOf(new DomainError('amount_invalid', 'x', 'amount'), 'payment')).toEqual({ status: 400, errorCode: '1102' });
    expect(refusalOf(new DomainError('not_found', 'x', undefined, { kind: 'refund' }), 'refund')).toEqual({ status: 404, errorCode: '1004' });
    expect(refusalOf(new DomainError('not_found', 'x', undefined, { kind: 'toString' }), 'payment')).toEqual({ status: 404, errorCode: '1001' });
  });
});
