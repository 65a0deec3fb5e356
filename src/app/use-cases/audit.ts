// The audit log: who changed what, when and on which object. Written in the same transaction as
// the change itself, so an entry exists exactly when its change committed.
import type { App } from '../context.js';
import type { AuditEntry } from '../ports/dashboard.js';
import type { Page } from '../ports/persistence.js';
import type { Work } from '../unit-of-work.js';

export interface Actor {
  type: AuditEntry['actorType'];
  id: string;
  /** What the log shows: the user's email, the key's kind and last 4 characters. */
  name: string;
  merchantId: string;
}

export async function recordAudit(unit: Work, actor: Actor, livemode: boolean, action: string, objectType: string, objectId: string, detail: string | null = null): Promise<void> {
  await unit.tx.insertAuditEntry({
    id: unit.app.ids.id('aud'), merchantId: actor.merchantId, livemode, actorType: actor.type, actorId: actor.id, actorName: actor.name,
    action, objectType, objectId, detail, createdAt: unit.app.clock.now(),
  });
}

export function listAudit(app: App, merchantId: string, livemode: boolean | null, page: { limit: number; beforeId?: string; objectId?: string }): Promise<Page<AuditEntry>> {
  return app.db.read.listAuditEntries(merchantId, livemode, page);
}
