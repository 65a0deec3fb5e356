import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';

/** The value of an unlabelled metric in the scrape's text, or undefined when the scrape has none. */
const valueOf = (text: string, name: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
};

describe('the webhook backlog gauges', () => {
  it('a scrape while the database does not answer still succeeds: the backlog keeps its last values, marked stale', async () => {
    let databaseUp = true;
    const metrics = createMetrics({
      now: () => 10_000,
      webhookBacklog: async () => {
        if (!databaseUp) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        return { due: 3, waiting: 2, oldestDueCreatedAt: 4_000 };
      },
    });
    const up = await metrics.registry.metrics();
    expect([valueOf(up, 'posgate_webhook_backlog_up'), valueOf(up, 'posgate_webhook_backlog_due'), valueOf(up, 'posgate_webhook_backlog_oldest_age_seconds')]).toEqual([1, 3, 6]);
    databaseUp = false;
    await new Promise((resolve) => setImmediate(resolve)); // one read serves one scrape's gauges: the next scrape reads again
    const down = await metrics.registry.metrics();
    expect(valueOf(down, 'posgate_webhook_backlog_up')).toBe(0);
    expect(valueOf(down, 'posgate_webhook_backlog_due')).toBe(3);
    expect(valueOf(down, 'posgate_webhook_backlog_waiting')).toBe(2);
    // the rest of the scrape is there: what an outage is read by
    expect(down).toContain('posgate_http_requests_total');
  });
});
