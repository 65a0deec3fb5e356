// GET /v1/reports/settlement: the merchant's settlement report (secret key), as JSON or, with
// Accept: text/csv, as RFC 4180 CSV with amounts in major units. Computed by SQL aggregates.
import type { FastifyInstance, FastifyReply } from 'fastify';
import Negotiator from 'negotiator';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireSecretKey } from '../../../app/access.js';
import { settlementCsv, settlementReport } from '../../../app/use-cases/reports.js';
import { errors } from '../../shared/openapi.js';
import type { NativeDeps } from '../deps.js';

const tags = ['Reports'];
const DateText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

const SettlementQuery = z.strictObject({
  from: DateText.describe('First day, in the merchant\'s time zone'),
  to: DateText.describe('The day after the last (exclusive); at most 366 days after from'),
});

const Row = z.object({
  date: z.string(), currency: z.string(), channel: z.string(), terminalId: z.string(),
  count: z.number().int(), gross: z.number().int(), refunded: z.number().int(), net: z.number().int(),
});
const Total = z.object({ currency: z.string(), count: z.number().int(), gross: z.number().int(), refunded: z.number().int(), net: z.number().int() });

/** Whether the caller asked for CSV rather than JSON (an explicit text/csv in Accept). */
/**
 * CSV when the caller's Accept prefers it to JSON (q-values weighed, `text/csv;q=0` refused); JSON
 * otherwise, also for an Accept that takes neither (the API's own format, rather than a 406).
 */
function wantsCsv(accept: string | undefined): boolean {
  // a range's parameters other than q (`text/csv; charset=utf-8`, `;header=present`) do not narrow
  // what it asks for here: negotiator would match them only against an offer with the same ones
  const ranges = (accept ?? '*/*').split(',').map((range) => range.split(';').filter((part, i) => i === 0 || /^\s*q\s*=/i.test(part)).join(';'));
  return new Negotiator({ headers: { accept: ranges.join(',') } }).mediaType(['application/json', 'text/csv']) === 'text/csv';
}

export function reportRoutes(fastify: FastifyInstance, deps: NativeDeps): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  r.get('/v1/reports/settlement', {
    schema: {
      tags,
      summary: 'Settlement report: per day, currency, channel and terminal, what succeeded (gross, count), what was refunded and the net',
      description: 'Amounts in minor units. Days in the merchant\'s time zone; `to` is exclusive. `gross` and `count`: requests that succeeded that day; `refunded`: refunds (voids included) that succeeded that day; `net = gross − refunded`. The rows add up to the totals exactly. With `Accept: text/csv`, the rows as RFC 4180 CSV with amounts in major units.',
      operationId: 'getSettlementReport',
      'x-errors': errors('permission_denied'),
      querystring: SettlementQuery,
      response: {
        200: {
          description: 'The report: JSON, or CSV with `Accept: text/csv`',
          content: {
            'application/json': { schema: z.object({ from: z.string(), to: z.string(), timeZone: z.string(), rows: z.array(Row), totals: z.array(Total) }) },
            'text/csv': { schema: z.string() },
          },
        },
      },
    },
  }, async (req, reply) => {
    requireSecretKey(req.caller, 'A settlement report');
    const report = await settlementReport(deps.app, req.caller.merchantId, req.caller.livemode, req.query.from, req.query.to);
    if (wantsCsv(req.headers.accept)) {
      // the CSV is sent as is: the schema's JSON serializer does not apply to it
      return (reply as unknown as FastifyReply).type('text/csv; charset=utf-8').serializer((payload: unknown) => payload as string)
        .header('content-disposition', `attachment; filename="settlement-${req.query.from}-${req.query.to}.csv"`).send(settlementCsv(report));
    }
    return report;
  });
}
