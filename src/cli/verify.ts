// `posgate verify`: reconciles every payment request's running totals against its refund rows and
// its event log (app/use-cases/verify.ts). Prints each mismatch; exits 1 when there is any, 0 when
// everything agrees.
import type { Command } from 'commander';
import { describeMismatch, verifyTotals } from '../app/use-cases/verify.js';
import type { Config } from '../config/config.js';
import { describeStorage, openDatabase } from '../storage/open.js';
import { requireDatabase } from './open-app.js';

interface Io {
  stdout(text: string): void;
}

export function registerVerify(program: Command, io: Io, config: () => Config): void {
  program
    .command('verify')
    .description("check every payment request's running totals (received, authorized, captured, refunded, reserved) against its refunds and events; exit 1 on any mismatch")
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean }) => {
      await requireDatabase(config()); // a read: never make an empty database to verify
      const db = openDatabase(config());
      const report = await (async () => {
        try {
          await db.migrate();
          return await verifyTotals(db);
        } finally {
          await db.close();
        }
      })();
      if (opts.json) io.stdout(JSON.stringify(report, null, 2) + '\n');
      else for (const mismatch of report.mismatches) io.stdout(`MISMATCH ${describeMismatch(mismatch)}\n`);
      const requests = new Set(report.mismatches.map((m) => m.paymentRequestId)).size;
      if (requests > 0) throw new Error(`${report.mismatches.length} mismatch(es) in ${requests} of ${report.checked} payment requests. Database: ${describeStorage(config())}.`);
      if (!opts.json) io.stdout(`Verified ${report.checked} payment requests (${db.driver}): every total agrees with its refunds and events. Database: ${describeStorage(config())}.\n`);
    });
}
