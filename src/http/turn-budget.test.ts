import { describe, expect, it } from 'vitest';
import { turnBudget } from './turn-budget.js';

/** For the cases where nothing may fail to begin. */
const fail = (error: unknown) => {
  throw new Error(`a request failed to begin: ${String(error)}`);
};

/** One turn of the event loop: resolves in the check phase after the budget's own (scheduled earlier). */
const nextTurn = () => new Promise<void>((done) => setImmediate(done));

describe('turnBudget', () => {
  it('begins a request at once while the turn has budget left', () => {
    const budget = turnBudget(3, fail);
    const begun: number[] = [];
    for (const n of [1, 2, 3]) budget.admit(() => begun.push(n));
    expect(begun).toEqual([1, 2, 3]);
  });

  it('begins the rest in the turns that follow, in order, at most perTurn in each', async () => {
    const budget = turnBudget(2, fail);
    const begun: number[] = [];
    for (let n = 1; n <= 7; n++) budget.admit(() => begun.push(n));
    const perTurn = [begun.length];
    for (let turn = 0; turn < 5; turn++) {
      const before = begun.length;
      await nextTurn();
      perTurn.push(begun.length - before);
    }
    expect(perTurn).toEqual([2, 2, 2, 1, 0, 0]);
    expect(begun).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('lets no newcomer ahead of a request that waits', async () => {
    const budget = turnBudget(1, fail);
    const begun: string[] = [];
    budget.admit(() => begun.push('first'));
    budget.admit(() => begun.push('waiting'));
    await nextTurn(); // the waiting one took this turn's budget
    budget.admit(() => begun.push('newcomer'));
    expect(begun).toEqual(['first', 'waiting']);
    await nextTurn();
    expect(begun).toEqual(['first', 'waiting', 'newcomer']);
  });

  it('renews the budget once the load has passed', async () => {
    const budget = turnBudget(2, fail);
    let begun = 0;
    for (let n = 0; n < 5; n++) budget.admit(() => begun++);
    for (let turn = 0; turn < 4; turn++) await nextTurn();
    expect(begun).toBe(5);
    budget.admit(() => begun++);
    budget.admit(() => begun++);
    expect(begun).toBe(7); // both at once: an idle server makes no request wait
  });

  it('a request that throws as it begins in a later turn is reported, and the others of its turn still begin', async () => {
    const errors: unknown[] = [];
    const budget = turnBudget(2, (error) => errors.push(error));
    const begun: string[] = [];
    budget.admit(() => begun.push('a'));
    budget.admit(() => begun.push('b'));
    budget.admit(() => {
      throw new Error('broken');
    });
    budget.admit(() => begun.push('after it'));
    await nextTurn(); // the turn that begins the broken one and the one after it
    expect(begun).toEqual(['a', 'b', 'after it']);
    expect(errors).toEqual([new Error('broken')]);
  });

  it('refuses a budget that could never begin anything', () => {
    expect(() => turnBudget(0, fail)).toThrow(/positive integer/);
    expect(() => turnBudget(1.5, fail)).toThrow(/positive integer/);
  });
});
