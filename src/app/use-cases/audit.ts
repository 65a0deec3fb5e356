// The audit log: who changed what, when and on which object. Written in the same transaction as
// the change itself, so an entry exists exactly when its change committed.
import type { App, Caller, CallerActor } from '../context.js';
import type { AuditEntry } from '../ports/dashboard.js';
import type { KeyKind, Page } from '../ports/persistence.js';
import type { Work } from '../unit-of-work.js';

/** Who acted, in which merchant: a dashboard user (its email), or an API caller (its key and API). */
export interface Actor extends CallerActor {
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

/**
 * An API caller as the audit log names it: the key (its id; the key itself is never kept) and the
 * API it came through, e.g. "secret key key_… via <dialect>". `via` is the dialect's name ('native' for
 * the native API), given where the key is checked.
 */
export function apiKeyActor(key: { id: string; kind: KeyKind | 'credential set' }, via: string): CallerActor {
  const what = key.kind === 'credential set' ? 'credential set' : `${key.kind === 'terminal' ? 'terminal' : 'secret'} key`;
  return { type: 'api_key', id: key.id, name: `${what} ${key.id} via ${via}` };
}

/**
 * Records an operation on a payment request in the unit of work that made it, naming the caller's
 * actor. The use cases that cancel, capture, void and refund call it themselves, so every API
 * surface (and the dashboard, whose caller names its user) is audited once, by the same rule. A
 * caller without an actor (posgate's own) is not named in the log.
 */
export async function auditOperation(unit: Work, caller: Caller, action: string, paymentRequestId: string, detail: string | null = null): Promise<void> {
  if (!caller.actor) return;
  await recordAudit(unit, { ...caller.actor, merchantId: caller.merchantId }, caller.livemode, action, 'payment_request', paymentRequestId, detail);
}
