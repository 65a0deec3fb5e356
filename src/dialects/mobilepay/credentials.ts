// The mobilepay set of `posgate credentials --json`: a bioCode, its long-lived accessToken (kept
// hashed), and the merchant's first terminal with a PoS.
import type { Caller } from '../../app/context.js';
import { ensureFirstTerminal } from '../../app/use-cases/bootstrap.js';
import { createDialectCredential, type DialectSecretSpec } from '../../app/use-cases/dialect-credentials.js';
import { createPointOfSale } from '../../app/use-cases/points-of-sale.js';
import type { Work } from '../../app/unit-of-work.js';
import { guidOf } from './render.js';
import { DIALECT } from './transport.js';

export const MOBILEPAY_SECRETS: DialectSecretSpec = { dialect: DIALECT, lookupPrefix: 'bio_', secretPrefix: 'mpat_' };

export interface MobilePayCredentials {
  bioCode: string;
  /** Null when the set was made without one: the POS fetches it once with manage/token. */
  accessToken: string | null;
  terminalId: string;
  posId: string | null;
  storeId: string;
}

/** A new set for the merchant (test mode unless `livemode`); its first terminal gets a PoS if it has none. */
export async function issueMobilePayCredentials(unit: Work, merchantId: string, options: { livemode?: boolean; issueToken?: boolean } = {}): Promise<MobilePayCredentials> {
  const livemode = options.livemode ?? false;
  const { credential, secret } = await createDialectCredential(unit, MOBILEPAY_SECRETS, merchantId, { livemode, issueSecret: options.issueToken ?? true });
  let terminal = await ensureFirstTerminal(unit, merchantId);
  if (terminal.posId === null) {
    const caller: Caller = { merchantId, livemode, terminalId: null, credentialId: credential.id, kind: 'secret' };
    terminal = await createPointOfSale(unit, caller, terminal.name);
  }
  return { bioCode: credential.lookup, accessToken: secret, terminalId: terminal.name, posId: terminal.posId, storeId: guidOf(terminal.storeId) };
}
