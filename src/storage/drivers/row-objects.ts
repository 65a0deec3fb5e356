import type { Statement } from 'better-sqlite3';
import type { SqliteStatement } from 'kysely';

/**
 * better-sqlite3 on Node 20 (the Dockerfile's) builds each row object through V8's API, one
 * property at a time: for a payment request's 47 columns that costs as much again as reading the
 * row (23–29 µs against 12–16 µs for the row as an array, `npx tsx bench/row-objects.ts`; on Node 22
 * and later it builds the object in one call). So a statement that returns rows returns them as
 * arrays, and a function made from its column names turns each into an object in one literal, as
 * V8 builds its fastest objects. The objects are the same: keys in column order, a repeated name
 * holding the later column's value (a column named `__proto__`, which none is, would be an own
 * property here, where better-sqlite3 tries to set the prototype with it).
 *
 * SQLite prepares a statement again by itself when another connection changes the schema, and a
 * `select *` may then return other columns: a row whose length differs from the names makes the
 * function anew from the statement's columns. (A migration that drops one column and adds another
 * in one go keeps the length; code older than such a migration cannot read its tables anyway, so
 * the server is restarted on the new release, as for any migration that removes a column.)
 */
export function objectsFromArrays(statement: Statement): SqliteStatement & { readonly?: boolean } {
  if (!statement.reader) return statement;
  let width = 0;
  let toObject = (_row: unknown[]): unknown => undefined;
  const compile = () => {
    const names = statement.columns().map((column) => column.name);
    width = names.length;
    // the names are this database's columns and aliases, quoted as JSON string literals; `__proto__`
    // as a computed key, which makes an own property (as a plain key it would set the prototype)
    const key = (name: string) => (name === '__proto__' ? '["__proto__"]' : JSON.stringify(name));
    toObject = new Function('row', `return { ${names.map((name, i) => `${key(name)}: row[${i}]`).join(', ')} };`) as (row: unknown[]) => unknown;
  };
  compile();
  statement.raw(true);
  const objects = (rows: unknown[][]): unknown[] => {
    if (rows.length > 0 && rows[0]!.length !== width) compile();
    return rows.map(toObject);
  };
  return {
    reader: true,
    // whether it may write (a write with RETURNING is a reader): drivers/sqlite.ts asks
    readonly: statement.readonly,
    all: (parameters) => objects(statement.all(parameters) as unknown[][]),
    run: (parameters) => statement.run(parameters),
    iterate(parameters) {
      // called now, so that a statement's error is thrown here, as better-sqlite3's own iterate throws it
      const rows = statement.iterate(parameters) as IterableIterator<unknown[]>;
      return (function* () {
        for (const row of rows) yield objects([row])[0];
      })();
    },
  };
}
