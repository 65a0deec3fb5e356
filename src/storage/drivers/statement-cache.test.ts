import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from './statement-cache.js';

describe('statement cache', () => {
  it('reuses a prepared statement per SQL text and evicts the least recently used', () => {
    const database = new SqliteDatabase(':memory:');
    const cached = withStatementCache(database, 2);
    const a = cached.prepare('select 1 as x');
    expect(cached.prepare('select 1 as x')).toBe(a);
    const b = cached.prepare('select 2 as x');
    cached.prepare('select 1 as x'); // a is now the most recent
    cached.prepare('select 3 as x'); // evicts b
    expect(cached.prepare('select 1 as x')).toBe(a);
    expect(cached.prepare('select 2 as x')).not.toBe(b);
    expect(cached.prepare('select 2 as x').all([])).toEqual([{ x: 2 }]);
    database.close();
  });
});
