// The centrapay set of `posgate credentials --json`: a terminal key (the seed's "merchant terminal"
// key), the merchant, its configId, and the terminal's own id.
import { ensureFirstTerminal } from '../../app/use-cases/bootstrap.js';
import { createDialectCredential, type DialectSecretSpec } from '../../app/use-cases/dialect-credentials.js';
import { createApiKey } from '../../app/use-cases/merchants.js';
import type { Work } from '../../app/unit-of-work.js';

export const DIALECT = 'centrapay';
/** The configId is the set's lookup value; Centrapay keys are posgate terminal keys, so no secret here. */
export const CENTRAPAY_CONFIG: DialectSecretSpec = { dialect: DIALECT, lookupPrefix: 'cfg_', secretPrefix: '' };

export interface CentrapayCredentials {
  apiKey: string;
  merchantId: string;
  configId: string;
  terminalId: string;
}

export async function issueCentrapayCredentials(unit: Work, merchantId: string): Promise<CentrapayCredentials> {
  const { credential } = await createDialectCredential(unit, CENTRAPAY_CONFIG, merchantId, { livemode: false, issueSecret: false });
  const terminal = await ensureFirstTerminal(unit, merchantId);
  const key = await createApiKey(unit, { merchantId, terminalId: terminal.id, mode: 'test' });
  return { apiKey: key.secret, merchantId, configId: credential.lookup, terminalId: terminal.name };
}
