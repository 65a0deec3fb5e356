// What Kysely's Migrator asks of the database (does our schema exist, do its own migration tables
// exist), answered from our schema alone.
//
// Kysely's PostgresIntrospector lists the columns of every table in every schema of the database
// and, row by row, looks each schema up again by name (has_schema_privilege(nspname, …),
// pg_get_serial_sequence('schema.table', …)). Those lookups see the catalog as of now, not as of
// the scan's snapshot: a schema that another session drops in between fails the whole query with
// `schema "…" does not exist`. Whoever shares the database (another posgate schema, every test
// file of a full run) could then fail our startup by dropping a schema of its own. This one reads
// pg_class and pg_namespace of one schema, with no lookups by name.
import { type DatabaseIntrospector, type Dialect, type Kysely, PostgresDialect, type SchemaMetadata, sql, type TableMetadata } from 'kysely';
import type pg from 'pg';

class OwnSchemaIntrospector implements DatabaseIntrospector {
  constructor(
    private readonly db: Kysely<unknown>,
    /** null: the first schema of the connection's search_path. */
    private readonly schema: string | null,
  ) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace`.execute(this.db);
    return rows.map((r) => ({ name: r.name }));
  }

  async getTables(): Promise<TableMetadata[]> {
    const schema = this.schema === null ? sql`current_schema()` : sql`${this.schema}`;
    const { rows } = await sql<{ name: string; schema: string; kind: string }>`
      select c.relname as name, n.nspname as schema, c.relkind as kind
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
       where n.nspname = ${schema} and c.relkind in ('r', 'v', 'p')`.execute(this.db);
    // the Migrator reads names only; columns are not needed to know a table is there
    return rows.map((r) => ({ name: r.name, schema: r.schema, isView: r.kind === 'v', columns: [] }));
  }

  async getMetadata() {
    return { tables: await this.getTables() };
  }
}

/** PostgreSQL on this pool, introspecting only `schema` (null: the search_path's first). */
export function ownSchemaDialect(pool: pg.Pool, schema: string | null): Dialect {
  const base = new PostgresDialect({ pool });
  return {
    createAdapter: () => base.createAdapter(),
    createDriver: () => base.createDriver(),
    createQueryCompiler: () => base.createQueryCompiler(),
    createIntrospector: (db) => new OwnSchemaIntrospector(db, schema),
  };
}
