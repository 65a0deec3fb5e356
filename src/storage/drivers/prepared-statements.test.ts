import { describe, expect, it } from 'vitest';
import { preparingStatements } from './prepared-statements.js';

/** A pg client's query that records what it was given, and fails the named ones `stale` says. */
function recordingQuery(stale: (name: string) => boolean = () => false) {
  const sent: unknown[][] = [];
  const query = (...args: unknown[]) => {
    sent.push(args);
    const first = args[0] as { name?: string };
    if (typeof first === 'object' && first.name && stale(first.name))
      return Promise.reject(Object.assign(new Error('cached plan must not change result type'), { code: '0A000' }));
    return Promise.resolve({ rows: [] });
  };
  return { sent, query };
}

describe('preparingStatements', () => {
  it('names a statement with values by its text, the same name each time; runs one without values unnamed', async () => {
    const { sent, query } = recordingQuery();
    const prepared = preparingStatements(query);
    await prepared('select * from t where id = $1', ['a']);
    await prepared('select * from u where id = $1', ['b']);
    await prepared('select * from t where id = $1', ['c']);
    await prepared('begin', []);
    expect(sent).toEqual([
      [{ name: 'posgate_0_0', text: 'select * from t where id = $1', values: ['a'] }],
      [{ name: 'posgate_0_1', text: 'select * from u where id = $1', values: ['b'] }],
      [{ name: 'posgate_0_0', text: 'select * from t where id = $1', values: ['c'] }],
      ['begin', []],
    ]);
  });

  it('prepares at most `max` texts; the others run unnamed', async () => {
    const { sent, query } = recordingQuery();
    const prepared = preparingStatements(query, 2);
    for (const n of [1, 2, 3, 1]) await prepared(`select ${n} where $1`, [n]);
    expect(sent.map(([first]) => (typeof first === 'object' ? (first as { name: string }).name : 'unnamed'))).toEqual(['posgate_0_0', 'posgate_0_1', 'unnamed', 'posgate_0_0']);
  });

  it('a table changed under a prepared statement: outside a transaction the statement runs again unnamed at once, and every text is prepared afresh after', async () => {
    const { sent, query } = recordingQuery((name) => name.startsWith('posgate_0_'));
    const prepared = preparingStatements(query);
    await expect(prepared('select * from t where id = $1', ['a'])).resolves.toEqual({ rows: [] });
    await prepared('select * from t where id = $1', ['b']);
    expect(sent).toEqual([
      [{ name: 'posgate_0_0', text: 'select * from t where id = $1', values: ['a'] }],
      ['select * from t where id = $1', ['a']],
      [{ name: 'posgate_1_0', text: 'select * from t where id = $1', values: ['b'] }],
    ]);
  });

  it('inside a transaction the refusal stands (the transaction is over; the unit of work runs again), and the next try prepares afresh', async () => {
    const { sent, query } = recordingQuery((name) => name.startsWith('posgate_0_'));
    const prepared = preparingStatements(query);
    await prepared('begin', []);
    await expect(prepared('select * from t where id = $1', ['a'])).rejects.toMatchObject({ code: '0A000' });
    await prepared('rollback', []);
    await prepared('begin', []);
    await expect(prepared('select * from t where id = $1', ['a'])).resolves.toEqual({ rows: [] });
    expect(sent.at(-1)).toEqual([{ name: 'posgate_1_0', text: 'select * from t where id = $1', values: ['a'] }]);
  });

  it('passes any other call through as it is (a callback, a config object)', async () => {
    const { sent, query } = recordingQuery();
    const prepared = preparingStatements(query);
    const callback = () => undefined;
    await prepared('select $1', [1], callback);
    await prepared({ text: 'select 1' });
    expect(sent).toEqual([['select $1', [1], callback], [{ text: 'select 1' }]]);
  });
});
