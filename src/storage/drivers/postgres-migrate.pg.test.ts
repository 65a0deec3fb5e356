// Migrating one schema must not depend on the other schemas of the database: test files (and
// tenants of a shared server) create and drop theirs at any moment. Kysely's own introspection
// scanned every schema of the database and looked each one up again by name
// (has_schema_privilege, pg_get_serial_sequence); a schema dropped between the scan's snapshot and
// that lookup failed our migration with `schema "t_…" does not exist`: the PostgreSQL suites that
// failed by chance in a full run, where other test files drop their schemas all the time.
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { freshSchemaName, PG_URL } from '../../../test/postgres.js';
import { openPostgresStore } from './postgres.js';

const OTHERS = 150;
const MIGRATIONS = 6;

const schemas: string[] = [];
afterAll(async () => {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
});

it('migrates while other sessions drop other schemas of the same database', async () => {
  const other = new pg.Client({ connectionString: PG_URL });
  await other.connect();
  const prefix = freshSchemaName();
  const others = Array.from({ length: OTHERS }, (_, i) => `${prefix}_${i}`);
  schemas.push(...others);
  await other.query(others.map((s) => `create schema "${s}"; create table "${s}".t (id bigserial primary key, note text);`).join('\n'));

  const outcomes: string[] = [];
  let migrating = true;
  const dropping = (async () => {
    // one drop per statement, as test files do when they finish, until our migrations are done
    for (const s of others) {
      if (!migrating) break;
      await other.query(`drop schema "${s}" cascade`);
    }
  })();
  try {
    for (let i = 0; i < MIGRATIONS; i++) {
      const schema = freshSchemaName();
      schemas.push(schema);
      const store = openPostgresStore({ url: PG_URL, schema, poolSize: 2 });
      try {
        outcomes.push(await store.migrate().then(() => 'migrated', (error: Error) => error.message));
      } finally {
        await store.close();
      }
    }
  } finally {
    migrating = false;
    await dropping;
    await other.end();
  }
  expect(outcomes).toEqual(Array.from({ length: MIGRATIONS }, () => 'migrated'));
});
