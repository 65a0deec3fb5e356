import type { Statement } from 'better-sqlite3';
import type { SqliteStatement } from 'kysely';

/**
 * better-sqlite3 builds each row object through V8's API, one property at a time: for a payment
 * request's 47 columns that costs as much again as reading the row (24–29 µs against 13–16 µs for
 * the row as an array, on the bench's VM). So a statement that returns rows returns them as arrays,
 * and a function made once per statement from its column names turns each into an object in one
 * literal, as V8 builds its fastest objects. The objects are the same: keys in column order, a
 * repeated column name holding the later column's value.
 */
export function objectsFromArrays(statement: Statement): SqliteStatement {
  if (!statement.reader) return statement;
  const names = statement.columns().map((column) => column.name);
  // the one name an object literal would read as the prototype: such a statement keeps its objects
  if (names.includes('__proto__')) return statement;
  // the names are this database's columns and aliases, quoted as JSON string literals
  const toObject = new Function('row', `return { ${names.map((name, i) => `${JSON.stringify(name)}: row[${i}]`).join(', ')} };`) as (row: unknown[]) => unknown;
  statement.raw(true);
  return {
    reader: true,
    all: (parameters) => (statement.all(parameters) as unknown[][]).map(toObject),
    run: (parameters) => statement.run(parameters),
    *iterate(parameters) {
      for (const row of statement.iterate(parameters)) yield toObject(row as unknown[]);
    },
  };
}
