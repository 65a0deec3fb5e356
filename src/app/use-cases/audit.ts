// The audit log: who changed what, when and on which object. Written in the same transaction as
// the change itself, so an entry exists exactly when its change committed.
import type { App, Caller } from '../context.js';
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

/** An API caller as the audit log names it: the key it used (its id; the key itself is never kept). */
export function apiActor(caller: Caller): Actor {
  return { type: 'api_key', id: caller.credentialId, name: `${caller.kind === 'terminal' ? 'terminal' : 'secret'} key ${caller.credentialId}`, merchantId: caller.merchantId };
}

/** Records an operation made through the API, in the unit of work that made it. */
export function auditApi(unit: Work, caller: Caller, action: string, paymentRequestId: string, detail: string | null = null): Promise<void> {
  return recordAudit(unit, apiActor(caller), caller.livemode, action, 'payment_request', paymentRequestId, detail);
}
