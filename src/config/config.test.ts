import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('webhook attempt timeout', () => {
  it('is 15 s by default, and half a delivery lease shorter than 30 s, so an attempt never outlives its lease', () => {
    expect(loadConfig({}).webhookTimeoutMs).toBe(15_000);
    expect(loadConfig({ DELIVERY_LEASE_MS: '3000' }).webhookTimeoutMs).toBe(1500);
  });

  it('set explicitly, must be below the delivery lease', () => {
    expect(loadConfig({ WEBHOOK_TIMEOUT_MS: '2500', DELIVERY_LEASE_MS: '3000' }).webhookTimeoutMs).toBe(2500);
    expect(() => loadConfig({ WEBHOOK_TIMEOUT_MS: '3000', DELIVERY_LEASE_MS: '3000' })).toThrow(ConfigError);
    expect(() => loadConfig({ WEBHOOK_TIMEOUT_MS: '99' })).toThrow(/WEBHOOK_TIMEOUT_MS/);
  });
});

describe('POSGATE_DEMO', () => {
  it('is on by default on SQLite and off by default on PostgreSQL; set, it wins either way', () => {
    expect(loadConfig({}).demo).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x' }).demo).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x', POSGATE_DEMO: 'true' }).demo).toBe(true);
    expect(loadConfig({ POSGATE_DEMO: 'false' }).demo).toBe(false);
    expect(() => loadConfig({ POSGATE_DEMO: 'yes' })).toThrow(/POSGATE_DEMO/);
  });
});

describe('TRUST_PROXY', () => {
  it('is off by default; addresses and CIDR ranges, comma-separated', () => {
    expect(loadConfig({}).trustProxy).toBeNull();
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,fd00::/8' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1', 'fd00::/8']);
  });

  it('refuses anything else, naming it: a number of hops too (it would believe whoever connects directly)', () => {
    for (const wrong of ['1', '0', 'true', '10.0.0.0/33', '10.0.0/8', 'fd00::/129', '127.0.0.1,lb.internal', '10.0.0.0/8/1', ' '])
      expect(() => loadConfig({ TRUST_PROXY: wrong }), wrong).toThrow(/TRUST_PROXY/);
  });
});

describe('DATABASE_PREPARED_STATEMENTS', () => {
  it('is on by default; false turns it off; anything else is refused', () => {
    expect(loadConfig({}).databasePreparedStatements).toBe(true);
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'false' }).databasePreparedStatements).toBe(false);
    expect(() => loadConfig({ DATABASE_PREPARED_STATEMENTS: 'no' })).toThrow(/DATABASE_PREPARED_STATEMENTS/);
  });
});
