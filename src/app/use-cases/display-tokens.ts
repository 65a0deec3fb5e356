// Display tokens: the credential of a customer display. A screen that faces customers shows its
// address to anyone who looks, so it carries a token that can only show that one terminal's
// display (and cannot create, read or change anything else), never an API key.
import { timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../core/errors.js';
import { notFound } from '../access.js';
import type { App, Caller } from '../context.js';
import type { DisplayToken } from '../ports/dashboard.js';
import type { Mode } from '../ports/persistence.js';
import type { Work } from '../unit-of-work.js';
import { recordAudit, type Actor } from './audit.js';
import { hashSecret } from './merchants.js';

export const DISPLAY_TOKEN_PREFIX = 'dt_';

export interface IssuedDisplayToken {
  token: DisplayToken;
  /** Shown once: only its hash is kept. */
  secret: string;
}

export function isDisplayToken(presented: string): boolean {
  return presented.startsWith(DISPLAY_TOKEN_PREFIX);
}

export async function createDisplayToken(unit: Work, input: { merchantId: string; terminalId: string; mode: Mode }, actor?: Actor): Promise<IssuedDisplayToken> {
  const terminal = await unit.tx.getTerminal(input.terminalId);
  if (!terminal || terminal.merchantId !== input.merchantId) throw notFound('terminal', input.terminalId, 'terminalId');
  const secret = unit.app.ids.secret(`${DISPLAY_TOKEN_PREFIX}${input.mode}_`, 32);
  const token: DisplayToken = {
    id: unit.app.ids.id('dsp'), merchantId: input.merchantId, terminalId: terminal.id, livemode: input.mode === 'live',
    hash: hashSecret(secret), last4: secret.slice(-4), createdAt: unit.app.clock.now(), revokedAt: null,
  };
  await unit.tx.insertDisplayToken(token);
  if (actor) await recordAudit(unit, actor, token.livemode, 'display_token.create', 'display_token', token.id, `terminal ${terminal.name} …${token.last4}`);
  return { token, secret };
}

/** Revokes a token (of `merchantId`, when given): the display using it stops at its next read. */
export async function revokeDisplayToken(unit: Work, merchantId: string | null, id: string, actor?: Actor): Promise<DisplayToken> {
  const token = await unit.tx.getDisplayToken(id);
  if (!token || (merchantId !== null && token.merchantId !== merchantId)) throw notFound('display token', id);
  if (token.revokedAt !== null) return token;
  const at = unit.app.clock.now();
  await unit.tx.revokeDisplayToken(id, at);
  if (actor) await recordAudit(unit, actor, token.livemode, 'display_token.revoke', 'display_token', token.id, `…${token.last4}`);
  return { ...token, revokedAt: at };
}

export function listDisplayTokens(app: App, merchantId: string): Promise<DisplayToken[]> {
  return app.db.read.listDisplayTokens(merchantId);
}

/**
 * The caller a display token stands for: its terminal's, read-only by use (only the display's use
 * case takes it). Unknown and revoked tokens are refused alike; another terminal's display is 404.
 */
export async function displayTokenCaller(app: App, presented: string, terminalId: string): Promise<Caller> {
  const hash = hashSecret(presented);
  const token = await app.db.read.findDisplayTokenByHash(hash);
  if (!token || !timingSafeEqual(Buffer.from(token.hash, 'hex'), Buffer.from(hash, 'hex')) || token.revokedAt !== null)
    throw new DomainError('invalid_api_key', 'The display token is not valid (unknown or revoked).');
  if (token.terminalId !== terminalId) throw notFound('terminal', terminalId);
  return { merchantId: token.merchantId, livemode: token.livemode, terminalId: token.terminalId, credentialId: token.id, kind: 'terminal' };
}
