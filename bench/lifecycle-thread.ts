// Scenario B's loops in a worker thread of their own, as autocannon runs A's and R's: the load
// generator must not share the event loop of a posgate running in the bench process (SQLite ×1,
// PostgreSQL ×1), where its fetch client took about an eighth of the server's thread.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { runLifecycles, UnexpectedResponse, type LifecycleResult, type LifecycleTarget } from './scenarios.js';

interface Job {
  lifecycleThread: true;
  targets: LifecycleTarget[];
  workers: number;
  seconds: number;
}

type Outcome = { result: LifecycleResult } | { failure: string; unexpected: boolean };

/** `runLifecycles` in a worker thread (loaded through tsx, as the bench is). */
export function runLifecyclesInThread(targets: LifecycleTarget[], workers: number, seconds: number): Promise<LifecycleResult> {
  const job: Job = { lifecycleThread: true, targets, workers, seconds };
  return new Promise((resolve, reject) => {
    // Node 20 does not pass a loader registered at run time on to a worker: the thread registers tsx itself
    const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const thread = new Worker(boot, { eval: true, workerData: job });
    thread.once('message', (outcome: Outcome) => {
      void thread.terminate(); // its fetch client's idle keep-alive connections would hold it a few seconds more
      if ('result' in outcome) resolve(outcome.result);
      else reject(outcome.unexpected ? new UnexpectedResponse(outcome.failure) : new Error(outcome.failure));
    });
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`the lifecycle thread exited (${code}) without a result`)));
  });
}

if (!isMainThread && (workerData as Job | undefined)?.lifecycleThread) {
  const { targets, workers, seconds } = workerData as Job;
  runLifecycles(targets, workers, seconds).then(
    (result) => parentPort!.postMessage({ result } satisfies Outcome),
    (error: unknown) => parentPort!.postMessage({ failure: error instanceof Error ? error.message : String(error), unexpected: error instanceof UnexpectedResponse } satisfies Outcome),
  );
}
