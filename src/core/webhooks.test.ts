import { describe, expect, it } from 'vitest';
import { afterAttempt, MAX_ATTEMPTS, RETRY_SCHEDULE_MS, signingSecrets, wantsEvent, type Delivery, type WebhookEndpoint } from './webhooks.js';

const NOW = Date.UTC(2026, 0, 1);
const delivery: Delivery = {
  id: 'dlv_1', eventId: 'evt_1', endpointId: 'we_1', target: 'we_1', url: 'https://x', format: 'native', merchantId: 'm', livemode: false,
  objectId: 'pr_1', sequence: 1, status: 'pending', attempts: 0, nextAttemptAt: NOW, createdAt: NOW, updatedAt: NOW,
};

describe('webhook delivery decisions', () => {
  it('follows the documented schedule, with up to 10% later jitter, and gives up after 10 attempts', () => {
    let current = delivery;
    const delays: number[] = [];
    for (let i = 1; i < MAX_ATTEMPTS; i++) {
      const next = afterAttempt(current, { kind: 'failed' }, NOW, 0).delivery;
      delays.push(next.nextAttemptAt - NOW);
      expect(next).toMatchObject({ status: 'pending', attempts: i });
      current = next;
    }
    expect(delays).toEqual(RETRY_SCHEDULE_MS.slice(1));
    expect(afterAttempt(current, { kind: 'failed' }, NOW, 0).delivery).toMatchObject({ status: 'failed', attempts: 10 });
    const jittered = afterAttempt(delivery, { kind: 'failed' }, NOW, 0.999).delivery.nextAttemptAt - NOW;
    expect(jittered).toBeGreaterThan(5000);
    expect(jittered).toBeLessThanOrEqual(5500);
  });

  it('honours Retry-After, capped at 24 h', () => {
    expect(afterAttempt(delivery, { kind: 'failed', retryAfterMs: 120_000 }, NOW, 0.5).delivery.nextAttemptAt).toBe(NOW + 120_000);
    expect(afterAttempt(delivery, { kind: 'failed', retryAfterMs: 10 * 24 * 3600_000 }, NOW, 0).delivery.nextAttemptAt).toBe(NOW + 24 * 3600_000);
  });

  it('a Retry-After shorter than the schedule waits the schedule', () => {
    expect(afterAttempt(delivery, { kind: 'failed', retryAfterMs: 0 }, NOW, 0).delivery.nextAttemptAt).toBe(NOW + RETRY_SCHEDULE_MS[1]);
    const fourth = { ...delivery, attempts: 3 };
    expect(afterAttempt(fourth, { kind: 'failed', retryAfterMs: 60_000 }, NOW, 0).delivery.nextAttemptAt).toBe(NOW + RETRY_SCHEDULE_MS[4]);
  });

  it('a 2xx delivers; a 410 fails the delivery and disables its endpoint (not a bare webhookUrl)', () => {
    expect(afterAttempt(delivery, { kind: 'delivered' }, NOW, 0)).toEqual({ delivery: { ...delivery, status: 'delivered', attempts: 1 }, disableEndpoint: false });
    expect(afterAttempt(delivery, { kind: 'gone' }, NOW, 0)).toMatchObject({ delivery: { status: 'failed' }, disableEndpoint: true });
    expect(afterAttempt({ ...delivery, endpointId: null }, { kind: 'gone' }, NOW, 0).disableEndpoint).toBe(false);
  });

  it('endpoints filter by type and status; a rotated secret signs for 24 h', () => {
    const endpoint = { status: 'enabled', eventTypes: ['payment_request.succeeded'] } as WebhookEndpoint;
    expect(wantsEvent(endpoint, 'payment_request.succeeded')).toBe(true);
    expect(wantsEvent(endpoint, 'refund.created')).toBe(false);
    expect(wantsEvent({ ...endpoint, eventTypes: null }, 'refund.created')).toBe(true);
    expect(wantsEvent({ ...endpoint, status: 'disabled' }, 'payment_request.succeeded')).toBe(false);
    const rotated = { secretSealed: 'new', previousSecretSealed: 'old', previousSecretExpiresAt: NOW + 1 };
    expect(signingSecrets(rotated, NOW)).toEqual(['new', 'old']);
    expect(signingSecrets(rotated, NOW + 1)).toEqual(['new']);
  });
});
