import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { objectsFromArrays } from './row-objects.js';

describe('objectsFromArrays', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    db.exec(`create table a (id text primary key, n integer, x real, t text, b blob, z text);
      create table c (id text primary key, a_id text, n integer);
      insert into a values ('a1', 7, 1.5, 'hé', x'0102', null), ('a2', -3, 0, '', x'', 'z');
      insert into c values ('c1', 'a1', 70);`);
  });
  afterEach(() => db.close());

  /** What better-sqlite3 itself returns, from a statement of its own. */
  const own = (sql: string, parameters: unknown[] = []) => db.prepare(sql).all(parameters);

  it.each([
    ['every column type and null', 'select * from a order by id', []],
    ['a join whose tables share column names (the later column wins, as in better-sqlite3)', 'select * from a join c on c.a_id = a.id', []],
    ['aliases, expressions and parameters', 'select id as "weird ""name""", n * ? as twice, count(*) over () as total from a where n > ?', [2, -10]],
    ['no rows', 'select * from a where id = ?', ['none']],
  ])('makes the objects better-sqlite3 makes: %s', (_name, sql, parameters) => {
    const statement = db.prepare(sql);
    const rows = objectsFromArrays(statement).all(parameters);
    const expected = own(sql, parameters);
    // the rows come from SQLite as arrays: the objects are made here, not by better-sqlite3
    expect(statement.all(parameters).every(Array.isArray)).toBe(true);
    expect(rows).toEqual(expected);
    expect(rows.map((row) => Object.keys(row as object))).toEqual(expected.map((row) => Object.keys(row as object)));
  });

  it('reads rows one at a time as objects too, and returns rows of an insert … returning', () => {
    expect([...objectsFromArrays(db.prepare('select id, n from a order by id')).iterate([])]).toEqual([{ id: 'a1', n: 7 }, { id: 'a2', n: -3 }]);
    expect(objectsFromArrays(db.prepare("insert into c values ('c2', 'a2', ?) returning id, n")).all([5])).toEqual([{ id: 'c2', n: 5 }]);
  });

  it('leaves a statement that returns no rows as it is; a column named __proto__ is an own property, never the prototype', () => {
    const write = db.prepare('update a set n = n + 1');
    expect(objectsFromArrays(write)).toBe(write);
    expect(objectsFromArrays(write).run([])).toMatchObject({ changes: 2 });
    const [row] = objectsFromArrays(db.prepare("select json_object('polluted', 1) as __proto__, id from a order by id")).all([]) as Record<string, unknown>[];
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe('{"polluted":1}');
    expect(row!.id).toBe('a1');
  });

  it('follows a schema another connection changed under the statement: the new columns, by their names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'row-objects-'));
    const file = join(dir, 'db.sqlite');
    const reader = new Database(file);
    const writer = new Database(file);
    try {
      writer.exec("create table t (id text, amount integer, note text); insert into t values ('t1', 500, 'x')");
      const all = objectsFromArrays(reader.prepare('select * from t'));
      expect(all.all([])).toEqual([{ id: 't1', amount: 500, note: 'x' }]);
      writer.exec("alter table t drop column note; alter table t add column status text default 'paid'; alter table t add column fee integer default 7");
      expect(all.all([])).toEqual([{ id: 't1', amount: 500, status: 'paid', fee: 7 }]);
      writer.exec('alter table t drop column fee');
      expect([...all.iterate([])]).toEqual([{ id: 't1', amount: 500, status: 'paid' }]);
    } finally {
      reader.close();
      writer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('throws a statement\'s error at the call to iterate, as better-sqlite3 does', () => {
    const statement = objectsFromArrays(db.prepare('select * from a where id = ?'));
    expect(() => statement.iterate([])).toThrow(RangeError);
  });
});
