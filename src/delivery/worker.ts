// The delivery worker: claims due deliveries, sends each on its own (a slow receiver holds one
// slot, never the others; one target holds at most `perTarget` slots, however many of its
// deliveries are due), and records the outcome. No transaction is open while a request is
// on the wire. In live mode each URL is re-resolved and connected to only if every address is public.
// What is sent (body and signing headers) comes from the delivery's format (./formats.ts).
import { setMaxListeners } from 'node:events';
import type { App } from '../app/context.js';
import { StorageUnavailable } from '../app/ports/persistence.js';
import { claimDeliveries, judged, prepareDeliveries, prepareDelivery, recordAttempts, releaseDeliveries, skipDelivery, type DeliveryJob, type RenderDelivery, type RenderedDelivery, type SendResult } from '../app/use-cases/deliveries.js';
import type { Delivery } from '../core/webhooks.js';
import { batchRecorder } from './batch-recorder.js';
import { post } from './sender.js';
import { checkUrlShape, resolveSafeAddress, UnsafeUrlError, type LookupAll } from './ssrf.js';

export interface DeliveryWorkerOptions {
  app: App;
  /** The body and headers of a delivery in its format; null: nothing to send for that event. */
  render: RenderDelivery;
  /** Deliveries on the wire at once. */
  concurrency?: number;
  /**
   * Deliveries on the wire at once to one target (an endpoint, or a request's webhookUrl); default
   * a quarter of `concurrency`. A receiver that hangs holds this many slots at most, however many
   * of its deliveries are due: the others wait their turn, and other targets get the rest.
   */
  perTarget?: number;
  timeoutMs?: number;
  lookup?: LookupAll;
  /**
   * Keep claiming while a backlog lasts (the background loop; default false): a claim that got every
   * slot it asked for means more may be due, so freed slots are filled again at once rather than at
   * the next tick of the interval. Off for tests that drive `tick()` themselves and expect nothing
   * to run between their ticks.
   */
  selfFeeding?: boolean;
  /** A tick the worker started itself failed (the database away): worth a log line. */
  onTickError?: (error: unknown) => void;
  /** Called after every attempt (metrics). */
  onAttempt?: (delivery: Delivery, result: SendResult) => void;
  /** Called when a format failed to render a delivery (a bug or a store outage: worth a log line). */
  onRenderError?: (delivery: Delivery, error: unknown) => void;
}

export interface DeliveryWorker {
  /** Claims what is due and free slots allow, and resolves when those deliveries are done. */
  tick(): Promise<number>;
  /** Ends in-flight requests and stops taking work. */
  stop(): Promise<void>;
}

/**
 * How long what a claim read for a delivery (its endpoint, secrets, event) is used: one that waited
 * longer for its target's turn reads it again, as a delivery sent a moment after its claim would.
 */
const PREPARED_FOR_MS = 1000;

/** The most attempts one transaction records. */
const MAX_RECORD_BATCH = 256;

export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const { app, render } = options;
  // a local receiver answers in a millisecond: 64 on the wire (16 per target) keep the sender ahead of creation
  const concurrency = options.concurrency ?? 64;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const perTarget = Math.max(1, options.perTarget ?? Math.floor(concurrency / 4));
  const inFlight = new Set<Promise<void>>();
  /** Slots each target holds now. */
  const onWire = new Map<string, number>();
  /** Claimed deliveries waiting for a slot of their target (they hold no slot of the worker's). */
  const waiting = new Map<string, Array<{ leaseEnds: number; go: (slot: boolean) => void }>>();
  let waitingCount = 0;
  const abort = new AbortController();
  // every in-flight request listens on the one signal
  setMaxListeners(concurrency + 8, abort.signal);
  /** Slots promised to claims still on their way to the database: ticks that overlap never take more than `concurrency`. */
  let claiming = 0;
  let stopped = false;
  /** The last claim got all it asked for: more may be due (see `selfFeeding`). */
  let backlog = false;
  let refill: NodeJS.Immediate | null = null;
  /** selfFeeding: a claim is on its way; wake-ups meanwhile ask for one more claim after it, not one each. */
  let claimInFlight = false;
  let claimAgain = false;
  /**
   * A target's queue (deliveries waiting for its slots) is full at this many: claims leave it out
   * until it runs low. As many as the worker has slots, so that what is queued lasts longer than
   * the next claim takes to come back, and a hanging target holds at most this many waiting.
   */
  const fullQueue = concurrency;
  /** Targets a claim left out (a full queue of their own) that may have more due: claimed again once their queue runs low. */
  const skipped = new Set<string>();
  /** Held deliveries (on the wire and waiting for their target's turn) are bounded too: twice the slots. */
  const freeSlots = () => Math.max(0, Math.min(concurrency - (inFlight.size - waitingCount), 2 * concurrency - inFlight.size) - claiming);

  async function send(delivery: Delivery, { body, headers }: RenderedDelivery): Promise<SendResult> {
    let pin;
    const started = performance.now();
    if (delivery.livemode) {
      // the deadline covers the lookup too: a resolver that never answers would hold the slot for ever
      // (the lookup itself cannot be stopped; it ends on its own and its answer is dropped)
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), timeoutMs); });
      try {
        pin = await Promise.race([resolveSafeAddress(checkUrlShape(delivery.url), options.lookup), late]);
      } catch (error) {
        if (error instanceof UnsafeUrlError) return { statusCode: null, latencyMs: 0, responseSnippet: null, error: `refused: ${error.message}` };
        throw error;
      } finally {
        clearTimeout(timer);
      }
      if (pin === null) return { statusCode: null, latencyMs: Math.round(performance.now() - started), responseSnippet: null, error: `no answer within ${timeoutMs} ms (resolving the host)` };
    }
    const left = Math.max(1, timeoutMs - Math.round(performance.now() - started));
    return post(delivery.url, body, headers, { timeoutMs: left, pin, signal: abort.signal });
  }

  /** The request to send; null: the format sends nothing for this event; undefined: rendering broke. */
  async function renderJob(job: DeliveryJob): Promise<RenderedDelivery | null | undefined> {
    try {
      // real time, like the Standard Webhooks timestamp: receivers check it against their own clocks
      return await render(job, Math.floor(Date.now() / 1000));
    } catch (error) {
      options.onRenderError?.(job.delivery, error);
      return undefined;
    }
  }

  /**
   * Deliveries this process holds whose last step met the database away (a restart, a cut). The
   * lease is still ours, so rather than leave them until it runs out, a later tick finishes them:
   * it records the attempt already sent, or sends one that was not. Kept only as long as the lease.
   */
  const resumable: Array<{ delivery: Delivery; sent?: SendResult; leaseEnds: number }> = [];
  /** Lease owners of claims that met the database away: their rows may be leased to us. */
  const lostClaims: string[] = [];
  let claims = 0;

  const record = batchRecorder((sent: Array<{ delivery: Delivery; result: SendResult }>) => recordAttempts(app, sent), {
    maxBatch: MAX_RECORD_BATCH,
    failsEveryItem: (error) => error instanceof StorageUnavailable,
  });

  async function deliver(delivery: Delivery, prepared: DeliveryJob | null | undefined, sent?: SendResult, leaseEnds = app.clock.now() + app.config.deliveryLeaseMs): Promise<void> {
    let result = sent;
    try {
      // the target's slot is held while the request is on the wire, not while its attempt is recorded
      // one that waited long for its turn is prepared anew: its endpoint may have been deleted or its secret rotated meanwhile
      result ??= (await inTurn(delivery, leaseEnds, (waitedMs) => attempt(delivery, waitedMs >= PREPARED_FOR_MS ? undefined : prepared))) ?? undefined;
      if (!result) return;
      if (stopped) return; // shutting down: the lease runs out and another process (or the next start) retries it
      await record({ delivery, result });
      options.onAttempt?.(delivery, result);
    } catch (error) {
      if (error instanceof StorageUnavailable && !stopped) resumable.push({ delivery, sent: result, leaseEnds });
      throw error;
    }
  }

  /** Sends a delivery once; null when nothing was sent (its endpoint is gone, or its format sends nothing for the event). */
  async function attempt(delivery: Delivery, prepared: DeliveryJob | null | undefined): Promise<SendResult | null> {
    const job = prepared === undefined ? await prepareDelivery(app, delivery) : prepared;
    if (!job) return null;
    const rendered = await renderJob(job);
    if (rendered === null) {
      await skipDelivery(app, delivery);
      return null;
    }
    // one that cannot be rendered is a failed attempt, retried on the schedule (not re-claimed after
    // every lease); the attempts log names no error detail, which is the operator's, not the merchant's
    return rendered ? judged(await send(delivery, rendered), rendered) : { statusCode: null, latencyMs: 0, responseSnippet: null, error: `the ${delivery.format} delivery could not be rendered` };
  }

  /** Hands a freed slot of `target` to the next delivery waiting for it (one whose lease would end before its attempt could is let go: it is claimed again once the lease runs out). */
  function release(target: string): void {
    const held = (onWire.get(target) ?? 1) - 1;
    if (held > 0) onWire.set(target, held);
    else onWire.delete(target);
    const queue = waiting.get(target) ?? [];
    while (queue.length > 0) {
      const next = queue.shift()!;
      waitingCount--;
      const inTime = !stopped && app.clock.now() + timeoutMs < next.leaseEnds;
      if (inTime) onWire.set(target, (onWire.get(target) ?? 0) + 1);
      next.go(inTime);
      if (inTime) break;
    }
    if (queue.length === 0) waiting.delete(target);
    // a target the last claims left out has room in its queue again: its next due deliveries can be claimed
    if (skipped.has(target) && queue.length < fullQueue) {
      skipped.delete(target);
      claimAgain = true;
    }
  }

  /** Runs `work` in one of the target's slots, waiting for one if it holds `perTarget` already; null if its turn came too late. */
  async function inTurn<T>(delivery: Delivery, leaseEnds: number, work: (waitedMs: number) => Promise<T>): Promise<T | null> {
    const target = delivery.target;
    const held = onWire.get(target) ?? 0;
    const queuedAt = app.clock.now();
    if (held < perTarget) {
      onWire.set(target, held + 1);
    } else {
      const queue = waiting.get(target) ?? [];
      waiting.set(target, queue);
      waitingCount++;
      if (!(await new Promise<boolean>((go) => queue.push({ leaseEnds, go })))) return null;
    }
    try {
      return await work(app.clock.now() - queuedAt);
    } finally {
      release(target);
    }
  }

  function run(work: () => Promise<void>): Promise<void> {
    // the database away is resumed or claimed again (and logged by the tick that meets it); anything
    // else (an attempt the store refused to record) would otherwise repeat at every lease unseen
    const running: Promise<void> = work().catch((error: unknown) => {
      if (!(error instanceof StorageUnavailable)) options.onTickError?.(error);
    }).finally(() => {
      inFlight.delete(running);
      feed();
    });
    inFlight.add(running);
    return running;
  }

  /** With a backlog, claims again once a quarter of the slots are free: one claim per few deliveries, not one per delivery. */
  function feed(): void {
    if (!options.selfFeeding || !(backlog || claimAgain) || stopped || refill || freeSlots() < Math.max(1, concurrency / 4)) return;
    claimAgain = false;
    refill = setImmediate(() => {
      refill = null;
      tick().catch((error) => options.onTickError?.(error));
    });
  }

  /** Claims on their way (stop() waits for them: what they lease is given back, not left to its lease). */
  const claimsOnTheirWay = new Set<Promise<unknown>>();

  async function tick(): Promise<number> {
    if (stopped) return 0;
    if (options.selfFeeding && claimInFlight) {
      // a commit woke us while a claim is on its way (it may not see that commit): one more claim after it
      claimAgain = true;
      return 0;
    }
    const now = app.clock.now();
    const resumed = resumable.splice(0).filter((r) => r.leaseEnds > now).map((r) => run(() => deliver(r.delivery, undefined, r.sent, r.leaseEnds)));
    // deliveries waiting for their target's turn hold no slot: other targets' deliveries are claimed meanwhile
    const free = freeSlots();
    if (free === 0) {
      await Promise.all(resumed);
      return resumed.length;
    }
    claiming += free;
    let claimed: Delivery[] = [];
    // each claim leases under a name of its own; one whose answer was lost (it may have committed)
    // leaves its name for the next claim, which takes up what it got instead of waiting for the lease
    const owner = lostClaims.pop() ?? `${app.config.workerId}.${++claims}`;
    // a target with a full queue of its own gets nothing more now: other targets' deliveries take the free slots
    const saturated = [...waiting].filter(([, queue]) => queue.length >= fullQueue).map(([target]) => target);
    let jobs: Array<DeliveryJob | null | undefined> = [];
    claimInFlight = true;
    const claiming$ = (async () => {
      try {
        claimed = await claimDeliveries(app, free, owner, saturated);
      } catch (error) {
        if (error instanceof StorageUnavailable) lostClaims.push(owner);
        throw error;
      }
      // what the claimed deliveries need, read together (their slots stay promised meanwhile); if that read fails, each reads its own
      jobs = await prepareDeliveries(app, claimed).catch((error: unknown) => {
        options.onTickError?.(error);
        return claimed.map(() => undefined);
      });
      if (stopped) {
        // stop() came while the claim was on its way (and waits for this): the deliveries go back rather than stay leased
        await releaseDeliveries(app, claimed).catch(() => undefined);
        claimed = [];
      }
    })();
    claimsOnTheirWay.add(claiming$);
    try {
      await claiming$;
    } catch (error) {
      // the database is away: no refill until a tick claims again (the interval's), or each failure would start the next at once
      backlog = false;
      claimAgain = false;
      throw error;
    } finally {
      claimsOnTheirWay.delete(claiming$);
      claiming -= free;
      claimInFlight = false;
    }
    if (stopped) return 0;
    backlog = claimed.length === free;
    for (const target of saturated) skipped.add(target);
    const leaseEnds = now + app.config.deliveryLeaseMs;
    const started = claimed.map((delivery, i) => run(() => deliver(delivery, jobs[i], undefined, leaseEnds)));
    feed(); // with the claimed ones counted: a wake-up that came during the claim, or a backlog, claims again
    await Promise.all([...resumed, ...started]);
    return claimed.length + resumed.length;
  }

  return {
    tick,
    async stop() {
      stopped = true;
      if (refill) clearImmediate(refill);
      abort.abort();
      await Promise.allSettled([...claimsOnTheirWay]);
      for (const queue of waiting.values()) for (const next of queue.splice(0)) next.go(false);
      waiting.clear();
      waitingCount = 0;
      await Promise.all([...inFlight]);
    },
  };
}
