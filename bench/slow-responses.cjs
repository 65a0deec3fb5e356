/* global require, module */
// autocannon `setupClient` module for the read scenario (bench/scenarios.ts). autocannon reports
// percentiles and the max, not how many requests took longer than a second; each of its clients
// emits every response's time, so this counts those over the threshold. It runs inside autocannon's
// worker thread (a file path, not a function, is what workers mode takes), so the count goes to a
// SharedArrayBuffer that the bench passed in the autocannon options and reads after the run.
// Plain CommonJS: autocannon loads it with require(), without tsx.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { workerData } = require('node:worker_threads');

const { counter, thresholdMs } = workerData.opts.slowResponses;
const slow = new Int32Array(counter);

module.exports = function setupClient(client) {
  client.on('response', (_statusCode, _bytes, responseTimeMs) => {
    if (responseTimeMs > thresholdMs) Atomics.add(slow, 0, 1);
  });
};
