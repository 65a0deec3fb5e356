import pg from 'pg';
import { afterAll } from 'vitest';
import { dropSchema, freshSchemaName, PG_URL } from '../../../test/postgres.js';
import { runStoreContract } from '../store.contract.js';
import { openPostgresStore } from './postgres.js';

const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

runStoreContract('PostgreSQL store', async () => {
  const schema = freshSchemaName();
  schemas.push(schema);
  return openPostgresStore({ url: PG_URL, schema, poolSize: 4 });
}, async (statement) => {
  const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schemas.at(-1)}` });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
});
