import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { affected, firstCompiled, insertHeldRow, runCompiled } from './compiled.js';
import type { Database } from './schema.js';

function database() {
  const sqlite = new SqliteDatabase(':memory:');
  sqlite.exec("create table settings (key text primary key, value text not null default 'preset')");
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}

describe('compiled queries', () => {
  it('run with the values of each call, constants of the shape kept, compiled once', async () => {
    const db = database();
    await insertHeldRow(db, 'settings', { key: 'a', value: 'one' });
    await insertHeldRow(db, 'settings', { key: 'b', value: 'two' });
    let builds = 0;
    const read = (key: string) =>
      firstCompiled(db, 'test read', [key], (k) => {
        builds++;
        return db.selectFrom('settings').selectAll().where('key', '=', k).where('value', '!=', 'never');
      });
    expect(await read('a')).toEqual({ key: 'a', value: 'one' });
    expect(await read('b')).toEqual({ key: 'b', value: 'two' });
    expect(await read('c')).toBeUndefined();
    expect(builds).toBe(1);
    const changed = await runCompiled(db, 'test update', ['uno', 'a'], (value, key) => db.updateTable('settings').set({ value }).where('key', '=', key));
    expect(affected(changed)).toBe(1);
    expect(await read('a')).toEqual({ key: 'a', value: 'uno' });
    await db.destroy();
  });

  it('leave out an undefined column, as Kysely does, so that its default applies', async () => {
    const db = database();
    await insertHeldRow(db, 'settings', { key: 'd', value: undefined });
    expect(await db.selectFrom('settings').selectAll().where('key', '=', 'd').executeTakeFirst()).toEqual({ key: 'd', value: 'preset' });
    await db.destroy();
  });

  it('refuse a shape that does not use every argument as a value', async () => {
    const db = database();
    await expect(runCompiled(db, 'test unused', ['a', 'b'], (key) => db.selectFrom('settings').selectAll().where('key', '=', key))).rejects.toThrow(/2 arguments, 1 used/);
    await db.destroy();
  });
});
