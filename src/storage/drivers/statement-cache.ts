import type { Database } from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { objectsFromArrays } from './row-objects.js';

/**
 * Kysely prepares every query anew; preparing costs as much as running a small statement.
 * The queries are built from a fixed set of shapes, so a bounded cache by SQL text removes that
 * cost. Statements are used one at a time on the single connection, so sharing one is safe. Each
 * returns its rows as objects made in JavaScript (row-objects.ts).
 */
export function withStatementCache(database: Database, capacity = 512): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (statement) {
        cache.delete(sql); // re-insert: the Map's order is the least-recently-used order
      } else {
        statement = objectsFromArrays(database.prepare(sql));
        if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}
