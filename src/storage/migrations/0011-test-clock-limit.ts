// Test clocks pushed past the limit before advances were checked against it (TEST_CLOCK_LIMIT_MS):
// such a merchant's clock read and test-mode creates answered 500 (a date past year 275760) or
// printed five-digit years. Each is brought back to the limit as of this migration; later advances
// are refused past it, and the real clock's own drift past it stays a printable date for millennia.
import { sql, type Kysely } from 'kysely';
import { TEST_CLOCK_LIMIT_MS } from '../../core/test-clock.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const furthest = TEST_CLOCK_LIMIT_MS - Date.now();
  await sql`update merchants set test_clock_offset_ms = ${furthest} where test_clock_offset_ms > ${furthest}`.execute(db);
}
