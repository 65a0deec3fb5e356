// The kowri set of `posgate credentials --json`: appId (sent as the `appId` header), appReference
// and secret (in every body), and the serviceCode invoices and callbacks carry. The appId is the
// set's lookup value and the secret is kept only as a hash; appReference, serviceCode and the
// terminal the set's invoices are made on are the set's record.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Caller } from '../../app/context.js';
import type { ReadTx } from '../../app/ports/persistence.js';
import { ensureFirstTerminal } from '../../app/use-cases/bootstrap.js';
import { authenticateDialect, createDialectCredential, type DialectSecretSpec } from '../../app/use-cases/dialect-credentials.js';
import type { App } from '../../app/context.js';
import type { Work } from '../../app/unit-of-work.js';
import { DomainError } from '../../core/errors.js';

export const DIALECT = 'kowri';
export const KOWRI_SET: DialectSecretSpec = { dialect: DIALECT, lookupPrefix: 'kwa_', secretPrefix: 'kws_' };

export interface KowriCredentials {
  appId: string;
  appReference: string;
  secret: string;
  serviceCode: string;
}

/** What posgate keeps of a set beside its hashed secret (a dialect record keyed by the appId). */
export interface KowriApp {
  appReference: string;
  serviceCode: string;
  /** The gateway id of the terminal the set's invoices are made on. */
  terminalId: string;
}

/** The admin call's options: a live-mode set on request (test mode otherwise). */
export const KOWRI_OPTIONS = z.strictObject({
  livemode: z.boolean().optional().describe('a live-mode set (default false: test mode, sandbox prompts allowed)'),
});

/** Kowri's service codes are short numbers ("225", "1512"): four digits derived from the set's id. */
function serviceCodeOf(credentialId: string): string {
  const digest = createHash('sha256').update(credentialId).digest();
  return String(1000 + (digest.readUInt32BE(0) % 9000));
}

export async function issueKowriCredentials(unit: Work, merchantId: string, options: { livemode?: boolean } = {}): Promise<KowriCredentials> {
  const { credential, secret } = await createDialectCredential(unit, KOWRI_SET, merchantId, { livemode: options.livemode ?? false, issueSecret: true });
  const terminal = await ensureFirstTerminal(unit, merchantId);
  const record: KowriApp = { appReference: unit.app.ids.secret('kwr_', 8), serviceCode: serviceCodeOf(credential.id), terminalId: terminal.id };
  const now = unit.app.clock.now();
  await unit.tx.putDialectRecord({ dialect: DIALECT, kind: 'app', key: credential.lookup, data: { ...record }, createdAt: now, updatedAt: now });
  return { appId: credential.lookup, appReference: record.appReference, secret: secret as string, serviceCode: record.serviceCode };
}

export interface KowriCaller {
  caller: Caller;
  appId: string;
  app: KowriApp;
}

const invalid = () => new DomainError('invalid_api_key', 'The appId, appReference and secret do not match a Kowri app.');

/** The caller behind the appId header and the body's appReference and secret. */
export async function authenticateKowri(app: App, appId: string | undefined, appReference: unknown, secret: unknown): Promise<KowriCaller> {
  if (!appId || typeof appReference !== 'string' || typeof secret !== 'string' || appReference === '' || secret === '')
    throw new DomainError('missing_api_key', 'Send the appId header and appReference and secret in the body.');
  const caller = await authenticateDialect(app, DIALECT, appId, secret);
  const record = await appOf(app.db.read, appId);
  if (!record || record.appReference !== appReference) throw invalid();
  return { caller, appId, app: record };
}

export async function appOf(tx: ReadTx, appId: string): Promise<KowriApp | null> {
  const record = await tx.getDialectRecord(DIALECT, 'app', appId);
  return record ? (record.data as unknown as KowriApp) : null;
}
