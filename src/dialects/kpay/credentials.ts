// The kpay set of `posgate credentials --json`: one secret key, sent as `Authorization: Bearer`.
// It is a posgate terminal key of the merchant's first terminal (kept hashed), so a KPAY request is
// made on that terminal; the set itself is a dialect credential, one per merchant.
import { ensureFirstTerminal } from '../../app/use-cases/bootstrap.js';
import { createDialectCredential, type DialectSecretSpec } from '../../app/use-cases/dialect-credentials.js';
import { createApiKey } from '../../app/use-cases/merchants.js';
import type { Work } from '../../app/unit-of-work.js';

export const DIALECT = 'kpay';
const KPAY_SET: DialectSecretSpec = { dialect: DIALECT, lookupPrefix: 'kpay_', secretPrefix: '' };

export interface KpayCredentials {
  secretKey: string;
}

export async function issueKpayCredentials(unit: Work, merchantId: string): Promise<KpayCredentials> {
  await createDialectCredential(unit, KPAY_SET, merchantId, { livemode: false, issueSecret: false });
  const terminal = await ensureFirstTerminal(unit, merchantId);
  const key = await createApiKey(unit, { merchantId, terminalId: terminal.id, mode: 'test' });
  return { secretKey: key.secret };
}
