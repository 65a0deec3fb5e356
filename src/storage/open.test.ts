import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { describeStorage } from './open.js';

describe('describeStorage (the banner and the CLI say where the data is)', () => {
  it('names the data dir on SQLite', () => {
    expect(describeStorage(loadConfig({ DATA_DIR: '/srv/posgate' }))).toBe('sqlite, data dir /srv/posgate');
  });

  it('names host, port, database and schema on PostgreSQL, never the user or password', () => {
    const text = describeStorage(loadConfig({ DATABASE_URL: 'postgres://posgate:s3cret-pw@db.internal:5433/payments?sslmode=require', DATABASE_SCHEMA: 'pos' }));
    expect(text).toBe('postgres, database db.internal:5433/payments, schema pos');
    expect(text).not.toMatch(/s3cret|posgate:/);
    expect(describeStorage(loadConfig({ DATABASE_URL: 'postgresql://u:p@db/payments' }))).toBe("postgres, database db/payments, schema (the server's search_path)");
  });
});
