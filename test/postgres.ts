// PostgreSQL for tests: 127.0.0.1:5432, database test (POSGATE_TEST_PG_URL overrides), and a fresh
// schema per store so that runs, files and tests never see each other's rows.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL = process.env.POSGATE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function freshSchemaName(): string {
  return `t_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(schema: string, url = PG_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
