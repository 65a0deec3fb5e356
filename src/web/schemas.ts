// Input of the patron-facing pages' JSON endpoints (validated by zod; errors leave as problem+json).
import { z } from 'zod';
import { CHANNELS, CRYPTO_NETWORKS, MOBILE_MONEY_PROVIDERS } from '../app/ports/connector.js';
import { MAX_AMOUNT } from '../core/money.js';
import { idPattern } from '../core/uuid-ids.js';

export const IdParams = z.strictObject({ id: z.string().min(1).max(100) });
export const TerminalParams = z.strictObject({ terminalId: z.string().min(1).max(100) });
export const PatronRequestParams = z.strictObject({ id: z.string().min(1).max(100), requestId: z.string().min(1).max(100) });

/** The longest a page's long-poll holds a request open. */
export const MAX_WAIT_SECONDS = 25;
const waitSeconds = z.coerce.number().int().min(0).max(MAX_WAIT_SECONDS).optional();

export const PayStateQuery = z.strictObject({ version: z.coerce.number().int().min(0).optional(), waitSeconds });
export const DisplayQuery = z.strictObject({ token: z.string().min(1).max(200).optional(), key: z.string().max(200).optional() });
export const DisplayStateQuery = z.strictObject({ token: z.string().min(1).max(200).optional(), key: z.string().max(200).optional(), version: z.string().max(200).optional(), waitSeconds });
export const PatronStateQuery = z.strictObject({ version: z.string().max(2000).optional(), waitSeconds });

export const ChooseBody = z.strictObject({
  channel: z.enum(CHANNELS),
  phone: z.string().max(32).optional(),
  provider: z.enum(MOBILE_MONEY_PROVIDERS).optional(),
  network: z.enum(CRYPTO_NETWORKS).optional(),
});

// .int() also refuses a whole number past 2^53 − 1 (as too big or too small): that says the limit, not "decimal"
const Amount = z.number({ error: 'amount must be an integer number of minor units' })
  .int({ error: (issue) => (issue.code === 'too_big' ? 'amount must be at most 10^12 minor units' : issue.code === 'too_small' ? 'amount must be greater than 0' : 'amount must be an integer number of minor units, not a decimal') })
  .positive('amount must be greater than 0')
  .max(MAX_AMOUNT, 'amount must be at most 10^12 minor units');

export const DecisionBody = z.strictObject({
  outcome: z.enum(['approve', 'decline', 'cancel']),
  amount: Amount.optional().describe('Approve only part (partialAllowed) or more than owed'),
});

export const PatronDecisionBody = z.strictObject({ outcome: z.enum(['approve', 'decline']) });
export const CheckInBody = z.strictObject({ patronId: z.string().regex(idPattern('pat'), 'must be a patron id (pat_…)').optional() });
