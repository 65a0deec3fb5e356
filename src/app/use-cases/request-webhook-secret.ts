// The merchant's request-webhook secrets: what signs the deliveries to a request's own webhookUrl
// (an endpoint has a secret of its own). One per mode, as everything else is: a secret handed out
// with test credentials (to developers, to CI) must not sign what a live POS trusts.
import type { App } from '../context.js';
import type { ReadTx, Tx } from '../ports/persistence.js';

// the test secret keeps the key every merchant's one secret had before the modes were split
const settingOf = (merchantId: string, livemode: boolean) => (livemode ? `webhook_secret:${merchantId}:live` : `webhook_secret:${merchantId}`);

/** The mode's secret if it has been made yet (a read: no transaction needed). */
export async function existingWebhookSecret(app: App, read: ReadTx, merchantId: string, livemode: boolean): Promise<string | null> {
  const sealed = await read.getSetting(settingOf(merchantId, livemode));
  return sealed ? app.box.open(sealed) : null;
}

/** The mode's secret, made on first use, sealed at rest. */
export async function merchantWebhookSecret(app: App, tx: Tx, merchantId: string, livemode: boolean): Promise<string> {
  const sealed = await tx.getSetting(settingOf(merchantId, livemode));
  if (sealed) return app.box.open(sealed);
  const secret = app.ids.webhookSecret();
  await tx.insertSetting(settingOf(merchantId, livemode), app.box.seal(secret));
  return secret;
}
