import { describe, expect, it } from 'vitest';
import { preparingStatements } from './prepared-statements.js';

/** A pg client's query that records what it was given, and refuses the named ones `stale` says (as PostgreSQL does, at Bind). */
function recordingQuery(stale: (name: string) => boolean = () => false) {
  const sent: unknown[][] = [];
  const query = (...args: unknown[]) => {
    sent.push(args);
    const first = args[0] as { name?: string };
    if (typeof first === 'object' && first.name && stale(first.name))
      return Promise.reject(Object.assign(new Error('le plan en cache ne doit pas modifier le type en résultat'), { code: '0A000', routine: 'RevalidateCachedQuery' }));
    return Promise.resolve({ rows: [] });
  };
  return { sent, query };
}

const T = 'select * from t where id = $1';
const U = 'select * from u where id = $1';
const named = (name: string, text: string, value: unknown) => [{ name, text, values: [value] }];

describe('preparingStatements', () => {
  it('prepares a text with values on its second use, by the same name after; runs one without values unnamed', async () => {
    const { sent, query } = recordingQuery();
    const prepared = preparingStatements(query);
    for (const [text, value] of [[T, 'a'], [U, 'b'], [T, 'c'], [T, 'd']] as const) await prepared(text, [value]);
    await prepared('begin', []);
    expect(sent).toEqual([[T, ['a']], [U, ['b']], named('posgate_0_0', T, 'c'), named('posgate_0_0', T, 'd'), ['begin', []]]);
  });

  it('prepares at most `max` texts; the others run unnamed', async () => {
    const { sent, query } = recordingQuery();
    const prepared = preparingStatements(query, 2);
    for (const n of [1, 1, 2, 2, 3, 3, 1]) await prepared(`select ${n} where $1`, [n]);
    expect(sent.map(([first]) => (typeof first === 'object' ? (first as { name: string }).name : 'unnamed')))
      .toEqual(['unnamed', 'posgate_0_0', 'unnamed', 'posgate_0_1', 'unnamed', 'unnamed', 'posgate_0_0']);
  });

  it('a table changed under a prepared statement: outside a transaction it runs again unnamed at once; the old names are freed before the next statement and every text is prepared afresh', async () => {
    const { sent, query } = recordingQuery((name) => name.startsWith('posgate_0_'));
    const prepared = preparingStatements(query);
    await prepared(T, ['a']);
    await expect(prepared(T, ['b'])).resolves.toEqual({ rows: [] });
    await prepared(T, ['c']);
    await prepared(T, ['d']);
    expect(sent).toEqual([[T, ['a']], named('posgate_0_0', T, 'b'), [T, ['b']], ['deallocate all', []], [T, ['c']], named('posgate_2_0', T, 'd')]);
  });

  it('inside a transaction the refusal stands (the transaction is over: it runs again); names are freed once outside it, those made meanwhile too', async () => {
    const { sent, query } = recordingQuery((name) => name.startsWith('posgate_0_'));
    const prepared = preparingStatements(query);
    await prepared(T, ['a']);
    await prepared('start transaction isolation level serializable', []);
    await expect(prepared(T, ['b'])).rejects.toMatchObject({ code: '0A000' });
    await prepared('rollback', []);
    await prepared('begin', []);
    await prepared(T, ['c']);
    await prepared('savepoint "x"', []);
    await prepared('rollback to "x"', []); // still in the transaction: nothing is freed here
    await prepared(T, ['d']);
    await prepared('commit', []);
    await prepared(T, ['e']);
    await prepared(T, ['f']);
    expect(sent.slice(4)).toEqual([
      ['begin', []], [T, ['c']], ['savepoint "x"', []], ['rollback to "x"', []], named('posgate_1_0', T, 'd'), ['commit', []],
      ['deallocate all', []], [T, ['e']], named('posgate_2_0', T, 'f'),
    ]);
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
