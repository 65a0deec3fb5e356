// A terminal's point of sale, for APIs that know one: a gateway-made id (posId) that the merchant
// creates and deletes (an update is delete + create, so a new PoS gets a new id).
import { DomainError } from '../../core/errors.js';
import * as pr from '../../core/payment-request.js';
import { uuidOfId } from '../../core/uuid-ids.js';
import { notFound } from '../access.js';
import type { App, Caller } from '../context.js';
import type { ReadTx, Terminal } from '../ports/persistence.js';
import { merchantNow } from '../time.js';
import type { Work } from '../unit-of-work.js';
import { CHECK_IN_VALIDITY_MS } from './payment-requests.js';

/** The caller's terminal by the merchant's own terminal id (its name). */
export async function terminalByName(tx: ReadTx, caller: Caller, name: string, param = 'terminalId'): Promise<Terminal> {
  const terminal = await tx.findTerminalByName(caller.merchantId, name);
  if (!terminal || (caller.terminalId !== null && caller.terminalId !== terminal.id)) throw notFound('terminal', name, param);
  return terminal;
}

export async function terminalByPosId(tx: ReadTx, caller: Caller, posId: string, param = 'posId'): Promise<Terminal> {
  const terminal = await tx.findTerminalByPosId(posId);
  if (!terminal || terminal.merchantId !== caller.merchantId || (caller.terminalId !== null && caller.terminalId !== terminal.id)) throw notFound('point of sale', posId, param);
  return terminal;
}

/** Gives the terminal a PoS; refused when it has one (update = delete, then create). */
export async function createPointOfSale(unit: Work, caller: Caller, terminalName: string): Promise<Terminal> {
  const terminal = await terminalByName(unit.tx, caller, terminalName);
  const refused = () => new DomainError('already_exists', `Terminal ${terminalName} already has a point of sale ${terminal.posId}; delete it first to replace it.`, 'terminalId');
  if (terminal.posId !== null) throw refused();
  const posId = uuidOfId(unit.app.ids.id('pos')) as string;
  if (!(await unit.tx.setTerminalPosId(terminal.id, null, posId))) throw refused();
  return { ...terminal, posId };
}

/**
 * Removes the terminal's PoS; refused while a payment is active on it (the POS cancels it first).
 * The terminal row is changed (and so locked) before the active payment is looked for: a payment
 * started at the same time either commits first and is seen, or finds its PoS gone (holdPointOfSale).
 */
/** Returns the id of the PoS it removed. */
export async function deletePointOfSale(unit: Work, caller: Caller, terminalName: string): Promise<string> {
  const terminal = await terminalByName(unit.tx, caller, terminalName);
  if (terminal.posId === null || !(await unit.tx.setTerminalPosId(terminal.id, terminal.posId, null)))
    throw notFound('point of sale on terminal', terminalName, 'terminalId');
  const active = await unit.tx.findActivePaymentRequestForTerminal(terminal.id, caller.livemode, caller.source);
  if (active) throw new DomainError('invalid_state', `Terminal ${terminalName} has an active payment ${active.id}; cancel it before deleting the point of sale.`, 'terminalId', { activeId: active.id });
  return terminal.posId;
}

/** In a payment's transaction: the PoS is still there, and stays until the payment commits. */
export async function holdPointOfSale(unit: Work, terminal: Terminal): Promise<void> {
  if (terminal.posId === null || !(await unit.tx.setTerminalPosId(terminal.id, terminal.posId, terminal.posId)))
    throw new DomainError('not_found', `Terminal ${terminal.name} has no point of sale; create one with manage/create.`, 'terminalId', { kind: 'point of sale' });
}

/**
 * Whether a patron is checked in at the terminal now: a check-in still waiting for the next
 * request, or a patron already with the terminal's active request.
 */
export async function isPatronCheckedIn(app: App, caller: Caller, terminal: Terminal): Promise<boolean> {
  const tx = app.db.read;
  const now = await merchantNow(app, tx, caller.merchantId, caller.livemode);
  if (terminal.checkedInPatronId !== null && terminal.checkedInAt !== null && now - terminal.checkedInAt <= CHECK_IN_VALIDITY_MS) {
    const patron = await tx.getPatron(terminal.checkedInPatronId);
    if (patron && patron.livemode === caller.livemode) return true;
  }
  const active = await tx.findActivePaymentRequestForTerminal(terminal.id, caller.livemode, caller.source);
  return active !== null && active.patronId !== null && !pr.expireIfDue(active, now);
}
