// Sandbox patrons: a person with a phone, whose rotating single-use code a POS can scan.
import { DomainError } from '../../core/errors.js';
import { notFound, requireTestMode, sameTenant } from '../access.js';
import type { Caller } from '../context.js';
import type { Patron, PatronCode, Tx } from '../ports/persistence.js';
import { merchantNow } from '../time.js';
import type { Work } from '../unit-of-work.js';

/** A patron code is good for this long after it is shown, and for one use. */
export const PATRON_CODE_TTL_MS = 60 * 1000;

export interface PatronView {
  patron: Patron;
  code: PatronCode;
}

async function issueCode(unit: Work, patron: Patron, now: number): Promise<PatronCode> {
  const code: PatronCode = {
    code: unit.app.ids.secret('pc_', 16),
    patronId: patron.id,
    merchantId: patron.merchantId,
    livemode: patron.livemode,
    issuedAt: now,
    expiresAt: now + PATRON_CODE_TTL_MS,
    usedAt: null,
  };
  await unit.tx.insertPatronCode(code);
  return code;
}

export async function createPatron(unit: Work, caller: Caller, input: { name?: string; age?: number }): Promise<PatronView> {
  requireTestMode(caller);
  const now = await merchantNow(unit.app, unit.tx, caller.merchantId, caller.livemode);
  const patron: Patron = { id: unit.app.ids.id('pat'), merchantId: caller.merchantId, livemode: caller.livemode, name: input.name ?? 'Sandbox patron', age: input.age ?? null, createdAt: now };
  await unit.tx.insertPatron(patron);
  return { patron, code: await issueCode(unit, patron, now) };
}

export async function requirePatron(tx: Tx, caller: Caller, id: string): Promise<Patron> {
  const patron = await tx.getPatron(id);
  if (!patron || !sameTenant(caller, patron)) throw notFound('patron', id);
  return patron;
}

/** The code that is good now: the current one, or a fresh one once it expired or was used. */
export async function currentCode(unit: Work, patron: Patron, now: number): Promise<PatronCode> {
  const latest = await unit.tx.latestPatronCode(patron.id);
  return latest && latest.usedAt === null && now < latest.expiresAt ? latest : issueCode(unit, patron, now);
}

/** The patron with the code it shows now. */
export async function getPatron(unit: Work, caller: Caller, id: string): Promise<PatronView> {
  requireTestMode(caller);
  const patron = await requirePatron(unit.tx, caller, id);
  const now = await merchantNow(unit.app, unit.tx, caller.merchantId, caller.livemode);
  return { patron, code: await currentCode(unit, patron, now) };
}

/** Consumes a scanned patron code: unknown, expired and reused codes are all `patron_code_invalid`. */
export async function takePatronCode(tx: Tx, caller: Caller, code: string, now: number): Promise<string> {
  const found = await tx.getPatronCode(code);
  const invalid = (reason: 'invalid' | 'expired' | 'used', detail: string) => new DomainError('patron_code_invalid', detail, 'patronCode', { reason });
  if (!found || !sameTenant(caller, found)) throw invalid('invalid', 'The patron code is not known.');
  if (found.usedAt !== null) throw invalid('used', 'The patron code was already used; ask the patron to show a fresh one.');
  if (now >= found.expiresAt) throw invalid('expired', 'The patron code has expired; ask the patron to show a fresh one.');
  if (!(await tx.usePatronCode(code, now))) throw invalid('used', 'The patron code was already used; ask the patron to show a fresh one.');
  return found.patronId;
}
