import { describe, expect, it } from 'vitest';
import { batchRecorder } from './batch-recorder.js';

class StoreAway extends Error {}

/** A store that records items, refuses any record holding a `poisoned` one, and holds its first record until released. */
function fakeStore(poisoned: string[] = [], storeAway = false) {
  const records: string[][] = [];
  let releaseFirst!: () => void;
  const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
  const recordAll = async (batch: string[]) => {
    records.push(batch);
    if (records.length === 1) await firstHeld;
    if (storeAway) throw new StoreAway('the database is away');
    const bad = batch.find((item) => poisoned.includes(item));
    if (bad) throw new Error(`no row for ${bad}`);
  };
  return { records, releaseFirst, recordAll };
}

const settle = (promises: Promise<void>[]) => Promise.allSettled(promises).then((all) => all.map((s) => (s.status === 'fulfilled' ? 'recorded' : (s.reason as Error).message)));

describe('batchRecorder', () => {
  it('records a lone item at once, and those that come back meanwhile together in one record', async () => {
    const store = fakeStore();
    const record = batchRecorder(store.recordAll, { maxBatch: 10, failsEveryItem: () => false });
    const first = record('a');
    const rest = ['b', 'c', 'd'].map(record);
    store.releaseFirst();
    expect(await settle([first, ...rest])).toEqual(['recorded', 'recorded', 'recorded', 'recorded']);
    expect(store.records).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('never puts more than maxBatch items in one record', async () => {
    const store = fakeStore();
    const record = batchRecorder(store.recordAll, { maxBatch: 2, failsEveryItem: () => false });
    const all = ['a', 'b', 'c', 'd', 'e'].map(record);
    store.releaseFirst();
    await settle(all);
    expect(store.records).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  it('a batch that fails for one item is recorded again item by item: only that item fails', async () => {
    const store = fakeStore(['c']);
    const record = batchRecorder(store.recordAll, { maxBatch: 10, failsEveryItem: () => false });
    const all = ['a', 'b', 'c', 'd'].map(record);
    store.releaseFirst();
    expect(await settle(all)).toEqual(['recorded', 'recorded', 'no row for c', 'recorded']);
    expect(store.records).toEqual([['a'], ['b', 'c', 'd'], ['b'], ['c'], ['d']]);
  });

  it('a failure of the whole store is every item\'s at once, without a try per item', async () => {
    const store = fakeStore([], true);
    const record = batchRecorder(store.recordAll, { maxBatch: 10, failsEveryItem: (error) => error instanceof StoreAway });
    const all = ['a', 'b', 'c'].map(record);
    store.releaseFirst();
    expect(await settle(all)).toEqual(['the database is away', 'the database is away', 'the database is away']);
    expect(store.records).toEqual([['a'], ['b', 'c']]);
  });

  it('records again after a pause: an item that comes back later starts a record of its own', async () => {
    const store = fakeStore();
    const record = batchRecorder(store.recordAll, { maxBatch: 10, failsEveryItem: () => false });
    const first = record('a');
    store.releaseFirst();
    await first;
    await record('b');
    expect(store.records).toEqual([['a'], ['b']]);
  });
});
