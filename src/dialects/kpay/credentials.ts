// The kpay set of `posgate credentials --json`: one secret key, sent as `Authorization: Bearer`.
// It is a posgate terminal key of the merchant's first terminal (kept hashed) bound to the set, so a
// KPAY request is made on that terminal and revoking the set revokes the key.
import { createDialectCredential, type DialectSecretSpec } from '../../app/use-cases/dialect-credentials.js';
import type { Work } from '../../app/unit-of-work.js';

export const DIALECT = 'kpay';
const KPAY_SET: DialectSecretSpec = { dialect: DIALECT, lookupPrefix: 'kpay_', secretPrefix: '' };

export interface KpayCredentials {
  secretKey: string;
}

export async function issueKpayCredentials(unit: Work, merchantId: string): Promise<KpayCredentials> {
  const { terminalKey } = await createDialectCredential(unit, KPAY_SET, merchantId, { livemode: false, issueSecret: false, terminalKey: true });
  return { secretKey: terminalKey!.secret };
}
