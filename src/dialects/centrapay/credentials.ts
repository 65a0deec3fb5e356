// The centrapay set of `posgate credentials --json`: a terminal key (the seed's "merchant terminal"
// key) bound to the set, the merchant, its configId, and the terminal's own id.
import { createDialectCredential, type DialectSecretSpec } from '../../app/use-cases/dialect-credentials.js';
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
  const { credential, terminalKey } = await createDialectCredential(unit, CENTRAPAY_CONFIG, merchantId, { livemode: false, issueSecret: false, terminalKey: true });
  return { apiKey: terminalKey!.secret, merchantId, configId: credential.lookup, terminalId: terminalKey!.terminal.name };
}
