import { describe, expect, it } from 'vitest';
import { turnBudget } from './turn-budget.js';

/** For the cases where nothing may fail to begin. */
const fail = (error: unknown) => {
  throw new Error(`a request failed to begin: ${String(error)}`);
};

/** A budget of `perTurn` (the same while accepting, unless given). */
const budgetOf = (perTurn: number, whileAccepting = perTurn, onError: (error: unknown) => void = fail) => turnBudget({ perTurn, whileAccepting, onError });

/** One turn of the event loop: resolves in the check phase after the budget's own (scheduled earlier). */
const nextTurn = () => new Promise<void>((done) => setImmediate(done));

describe('turnBudget', () => {
  it('begins a request at once while the turn has budget left', () => {
    const budget = budgetOf(3);
    const begun: number[] = [];
    for (const n of [1, 2, 3]) budget.admit(() => begun.push(n));
    expect(begun).toEqual([1, 2, 3]);
  });

  it('begins the rest in the turns that follow, in order, at most perTurn in each', async () => {
    const budget = budgetOf(2);
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
    const budget = budgetOf(1);
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
    const budget = budgetOf(2);
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
    const budget = budgetOf(2, 2, (error) => errors.push(error));
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

  it('while connections are being accepted, begins at most whileAccepting per turn; perTurn again after a turn that accepted none', async () => {
    const budget = budgetOf(4, 1);
    const begun: number[] = [];
    for (let n = 1; n <= 12; n++) budget.admit(() => begun.push(n));
    const perTurn = [begun.length]; // the first 4 at once: nothing was accepted yet
    budget.accepted(); // this turn accepted a connection: the next turns are short
    for (let turn = 0; turn < 5; turn++) {
      const before = begun.length;
      await nextTurn();
      perTurn.push(begun.length - before);
      if (turn < 2) budget.accepted(); // two more turns accept one each, then none
    }
    expect(perTurn).toEqual([4, 1, 1, 1, 4, 1]);
    expect(begun).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('an accept in a turn with nothing to begin leaves the next burst its full budget', async () => {
    const budget = budgetOf(4, 1);
    budget.accepted(); // a connection accepted while idle, nothing waiting
    await nextTurn();
    await nextTurn();
    const begun: number[] = [];
    for (let n = 1; n <= 4; n++) budget.admit(() => begun.push(n));
    expect(begun).toEqual([1, 2, 3, 4]);
  });

  it('a connection accepted mid-turn shortens that turn too', () => {
    const budget = budgetOf(4, 2);
    const begun: number[] = [];
    budget.admit(() => begun.push(1));
    budget.accepted();
    for (let n = 2; n <= 4; n++) budget.admit(() => begun.push(n));
    expect(begun).toEqual([1, 2]);
  });

  it('refuses a budget that could never begin anything, or one larger while accepting', () => {
    expect(() => budgetOf(0)).toThrow(/perTurn must be a positive integer/);
    expect(() => budgetOf(1.5)).toThrow(/perTurn must be a positive integer/);
    expect(() => budgetOf(4, 0)).toThrow(/whileAccepting must be an integer from 1 to perTurn/);
    expect(() => budgetOf(4, 5)).toThrow(/whileAccepting must be an integer from 1 to perTurn/);
  });
});
