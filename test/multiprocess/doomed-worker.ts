// A background worker that dies holding a lease. Run with `node --import tsx` and the same
// DATABASE_URL / DATABASE_SCHEMA / POSGATE_SECRET_KEY as the posgate processes, plus LEASE_MS and
// LEASE_OWNER. It claims the due payment requests exactly as the expiry sweep does
// (src/app/use-cases/sweeps.ts), prints `{"claimed":[ids…],"owner":…,"until":…}` as one line on
// stdout, and then hangs without doing the work, until the test kills it (SIGKILL).
import { openApp } from '../../src/compose.js';
import { loadConfig } from '../../src/config/config.js';

const leaseMs = Number(process.env.LEASE_MS ?? '3000');
const owner = process.env.LEASE_OWNER ?? 'doomed';

const { app } = await openApp(loadConfig(process.env));
const until = Date.now() + leaseMs;
const claimed = await app.db.transaction((tx) => tx.claimDuePaymentRequests(Date.now(), 100, { owner, until }));
process.stdout.write(JSON.stringify({ claimed: claimed.map((r) => r.id), owner, until }) + '\n');

// Hang forever: a pending timer keeps the event loop alive (a bare never-settling promise would let
// Node exit once the pool's idle connections close).
setInterval(() => undefined, 1 << 30);
await new Promise(() => {});
