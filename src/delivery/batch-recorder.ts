// Attempts come back to be recorded one by one; those that come back while a record is being
// committed wait for it and are then recorded together, in one transaction (group commit, as the
// SQLite driver does for requests): a lone attempt is recorded at once, a busy worker commits once
// per batch rather than once per attempt. A batch that fails for one of its items (a bug, a row
// gone) is recorded again item by item, so that the item fails alone and not its neighbours; a
// failure of the whole store (`failsEveryItem`: the database is away) is every item's at once.

export interface BatchRecorderOptions {
  /** The most items one record carries. */
  maxBatch: number;
  /** Whether `error` would fail any record now, whatever it holds: the batch is not tried item by item. */
  failsEveryItem: (error: unknown) => boolean;
}

/** `record(item)` resolves once `item` is recorded (alone or in a batch) and rejects with the failure that was its own. */
export function batchRecorder<T>(recordAll: (batch: T[]) => Promise<unknown>, options: BatchRecorderOptions): (item: T) => Promise<void> {
  const waiting: Array<{ item: T; resolve: () => void; reject: (error: unknown) => void }> = [];
  let recording = false;

  async function recordBatches(): Promise<void> {
    recording = true;
    while (waiting.length > 0) {
      const batch = waiting.splice(0, options.maxBatch);
      try {
        await recordAll(batch.map(({ item }) => item));
        for (const { resolve } of batch) resolve();
      } catch (error) {
        if (options.failsEveryItem(error) || batch.length === 1) {
          for (const { reject } of batch) reject(error);
          continue;
        }
        for (const { item, resolve, reject } of batch) await recordAll([item]).then(resolve, reject);
      }
    }
    recording = false;
  }

  return (item) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!recording) void recordBatches();
    });
}
