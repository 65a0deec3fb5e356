import { describe, expect, it } from 'vitest';
import { parseDialectSettings } from '../dialects/dialect.js';
import { DIALECTS } from '../dialects/registry.js';
import { ConfigError, loadConfig, secretKeyBytes } from './config.js';

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
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'false', DATABASE_URL: 'postgres://db/x' }).databasePreparedStatements).toBe(false);
    expect(() => loadConfig({ DATABASE_PREPARED_STATEMENTS: 'no' })).toThrow(/DATABASE_PREPARED_STATEMENTS/);
  });
});

describe('an empty variable is unset (PORT=, as env files, docker run -e and systemd write it)', () => {
  it('gives every setting its default, never 0', () => {
    const config = loadConfig({ PORT: '', SANDBOX_AUTOPAY_MS: '', DATABASE_POOL_SIZE: '', WEBHOOK_TIMEOUT_MS: '', HOST: '', DATA_DIR: '', PUBLIC_URL: '', TRUST_PROXY: '', POSGATE_DEMO: '', LOG_LEVEL: '', DATABASE_URL: '', DATABASE_SCHEMA: '' });
    expect(config).toMatchObject({ port: 8080, autopayMs: null, databasePoolSize: 10, webhookTimeoutMs: 15_000, host: '127.0.0.1', publicUrl: null, trustProxy: null, demo: true, logLevel: 'info', databaseUrl: null, databaseSchema: null });
    expect(config.dataDir).toBe(loadConfig({}).dataDir);
  });

  it('POSGATE_SECRET_KEY= falls back to DATA_DIR/secret.key, as unset does; POSGATE_ADMIN_TOKEN= is generated', () => {
    expect(loadConfig({ POSGATE_SECRET_KEY: '', POSGATE_ADMIN_TOKEN: '' })).toMatchObject({ secretKey: null, adminToken: null });
  });

  it('holds for the dialects\' own variables too: they read the same environment', () => {
    const env = loadConfig({ POSGATE_SSE_POLL_MS: '', CENTRAPAY_RATE_LIMIT_PER_MINUTE: '', KOWRI_ERROR_STATUS: '' }).env;
    const settings = parseDialectSettings(DIALECTS, env);
    expect(settings.get('native')).toMatchObject({ POSGATE_SSE_POLL_MS: 1000 });
    expect(settings.get('centrapay')).toMatchObject({ CENTRAPAY_RATE_LIMIT_PER_MINUTE: 200 });
    expect(settings.get('kowri')).toMatchObject({ KOWRI_ERROR_STATUS: 'strict' });
  });

  it('a number of blanks, or anything but decimal digits, is refused naming the variable (a blank was read as 0)', () => {
    for (const [name, value] of [['PORT', ' '], ['SANDBOX_AUTOPAY_MS', '  '], ['DATABASE_POOL_SIZE', '\t'], ['PORT', '0x1f90'], ['WEBHOOK_TIMEOUT_MS', '1e3'], ['BACKGROUND_INTERVAL_MS', '1.5']] as const)
      expect(() => loadConfig({ [name]: value }), `${name}=${JSON.stringify(value)}`).toThrow(new RegExp(`^invalid configuration: ${name}: `));
    expect(() => parseDialectSettings(DIALECTS, loadConfig({ POSGATE_SSE_POLL_MS: ' ' }).env)).toThrow(/POSGATE_SSE_POLL_MS/);
    expect(loadConfig({ PORT: ' 8081 ', SANDBOX_AUTOPAY_MS: '0' })).toMatchObject({ port: 8081, autopayMs: 0 });
  });
});

describe('POSGATE_SECRET_KEY', () => {
  it('is checked when the configuration is read, before anything opens a database', () => {
    for (const wrong of ['not-a-key', 'abcd', 'a'.repeat(63), 'zz'.repeat(32), Buffer.alloc(31).toString('base64'), `${Buffer.alloc(32).toString('base64')}!`])
      expect(() => loadConfig({ POSGATE_SECRET_KEY: wrong }), wrong).toThrow(/^invalid configuration: POSGATE_SECRET_KEY: POSGATE_SECRET_KEY must be 32 bytes/);
  });

  it('takes 64 hex characters or the base64 of 32 bytes', () => {
    const key = Buffer.from('0123456789abcdef0123456789abcdef');
    for (const right of [key.toString('hex'), key.toString('hex').toUpperCase(), key.toString('base64'), key.toString('base64url')])
      expect(secretKeyBytes(loadConfig({ POSGATE_SECRET_KEY: right }).secretKey ?? '')).toEqual(key);
  });

  it('is never printed in the error', () => {
    const error = (() => { try { loadConfig({ POSGATE_SECRET_KEY: 'my-secret-but-malformed' }); } catch (e) { return e as Error; } return null; })();
    expect(error?.message).not.toContain('my-secret-but-malformed');
  });
});

describe('DATABASE_URL', () => {
  it('must parse as a URL: the error names the variable and never the password', () => {
    for (const wrong of ['postgres://u:hunter2-pw@127.0.0.1:abc/test', 'postgres://u:hunter2-pw@127.0.0.1:99999/test', 'postgres://u:hunter2-pw@[::1/test']) {
      const run = () => loadConfig({ DATABASE_URL: wrong });
      expect(run, wrong).toThrow(/^invalid configuration: DATABASE_URL: DATABASE_URL is not a valid URL/);
      expect(run).not.toThrow(/hunter2/);
    }
    expect(() => loadConfig({ DATABASE_URL: 'mysql://db/x' })).toThrow(/DATABASE_URL must be a postgres:\/\/ URL/);
  });

  it('takes what pg takes: a host and port, a Unix socket, a percent-encoded password', () => {
    for (const right of ['postgres://postgres@127.0.0.1:5432/test', 'postgresql://u:p%40ss@db.internal/payments?sslmode=require', 'postgres://u@/db?host=/var/run/postgresql', 'postgres:///db?host=/run/postgresql', 'postgres://u:p@[::1]:5433/db'])
      expect(loadConfig({ DATABASE_URL: right }).databaseUrl, right).toBe(right);
  });
});

describe('DATABASE_SCHEMA', () => {
  it('needs DATABASE_URL: without it the data would go to SQLite, not the schema asked for', () => {
    expect(() => loadConfig({ DATABASE_SCHEMA: 'posgate' })).toThrow(/^invalid configuration: DATABASE_SCHEMA needs DATABASE_URL/);
    expect(loadConfig({ DATABASE_SCHEMA: 'posgate', DATABASE_URL: 'postgres://db/x' }).databaseSchema).toBe('posgate');
  });
  it('and so does every other PostgreSQL setting: set without it, it would be ignored without a word', () => {
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '20' })).toThrow(/^invalid configuration: DATABASE_POOL_SIZE needs DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_QUERY_TIMEOUT_MS: '500', DATABASE_PREPARED_STATEMENTS: 'false' })).toThrow(/^invalid configuration: DATABASE_PREPARED_STATEMENTS, DATABASE_QUERY_TIMEOUT_MS need DATABASE_URL/);
    expect(loadConfig({ DATABASE_POOL_SIZE: '20', DATABASE_URL: 'postgres://db/x' }).databasePoolSize).toBe(20);
    // an empty value is unset, as for every variable
    expect(loadConfig({ DATABASE_POOL_SIZE: '' }).databaseUrl).toBeNull();
  });
});

describe('PUBLIC_URL', () => {
  it('is an http:// or https:// address (it goes into payUrl, which patrons open)', () => {
    for (const wrong of ['javascript:alert(1)//', 'ftp://files.example.com/', 'file:///etc/passwd', 'data:text/html,hi', 'pay.example.com'])
      expect(() => loadConfig({ PUBLIC_URL: wrong }), wrong).toThrow(/^invalid configuration: PUBLIC_URL: PUBLIC_URL must be an http:\/\/ or https:\/\/ URL/);
    expect(loadConfig({ PUBLIC_URL: 'https://pay.example.com/' }).publicUrl).toBe('https://pay.example.com');
    expect(loadConfig({ PUBLIC_URL: 'http://10.0.0.5:8080' }).publicUrl).toBe('http://10.0.0.5:8080');
  });
});
