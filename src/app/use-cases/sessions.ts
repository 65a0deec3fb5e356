// Dashboard sign-in and sessions. A session lives on the server (a table, keyed by the hash of the
// cookie's token) and ends after a spell without use, on the Clock port. Sign-in failures are
// counted per account and per address in a window: past the limit every attempt is refused
// before any password is checked. A wrong password and an unknown email get the same answer.
import { createHash, randomBytes } from 'node:crypto';
import type { App, Caller } from '../context.js';
import type { Session, SignInFailures, User } from '../ports/dashboard.js';
import type { Merchant } from '../ports/persistence.js';
import { inTransaction } from '../unit-of-work.js';
import { decoy, normalizeEmail, verifyPassword } from './users.js';

/** A session unused this long is over. */
export const SESSION_IDLE_MS = 30 * 60 * 1000;
/** last_seen_at is written at most this often: a page view is not a write each time. */
const TOUCH_EVERY_MS = 60 * 1000;
export const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;
/** Failures allowed per account, and per address (several people may share one), in a window. */
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export type SignInResult =
  | { kind: 'signed_in'; token: string; session: Session; user: User }
  | { kind: 'refused' }
  | { kind: 'rate_limited'; retryAfterMs: number };

const accountKey = (email: string) => `account:${sha256(email)}`;
const addressKey = (address: string) => `address:${address}`;

/**
 * Counts the attempt against its account and its address before any password is checked, one
 * atomic increment each: attempts sent at once each take a count of their own, so no more than a
 * limit's worth of them are ever checked. Returns the counts, with how long to wait when either is
 * past its limit (the attempt is then taken back: a refused attempt is no failure).
 */
async function reserveAttempt(app: App, account: string, address: string, now: number): Promise<{ counted: readonly SignInFailures[]; waitMs: number }> {
  const limits = [MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS];
  const waitOf = (entries: readonly (SignInFailures | null)[], over: (entry: SignInFailures, limit: number) => boolean) =>
    Math.max(0, ...entries.map((entry, i) => (entry && now - entry.windowStart < SIGN_IN_WINDOW_MS && over(entry, limits[i]!) ? entry.windowStart + SIGN_IN_WINDOW_MS - now : 0)));
  // already blocked: refused by a read, writing nothing (a blocked address's guesses leave no rows)
  const blocked = waitOf(await Promise.all([app.db.read.getSignInFailures(account), app.db.read.getSignInFailures(address)]), (entry, limit) => entry.failures >= limit);
  if (blocked > 0) return { counted: [], waitMs: blocked };
  const counted = await inTransaction(app, async ({ tx }) => [
    await tx.countSignInAttempt(account, now, SIGN_IN_WINDOW_MS),
    await tx.countSignInAttempt(address, now, SIGN_IN_WINDOW_MS),
  ]);
  const waitMs = waitOf(counted, (entry, limit) => entry.failures > limit);
  if (waitMs > 0) await takeBack(app, counted);
  return { counted, waitMs };
}

async function takeBack(app: App, counted: readonly SignInFailures[]): Promise<void> {
  await inTransaction(app, async ({ tx }) => {
    for (const entry of counted) await tx.uncountSignInAttempt(entry.key, entry.windowStart);
  });
}

export async function signIn(app: App, input: { email: string; password: string; address: string }): Promise<SignInResult> {
  const now = app.clock.now();
  const email = normalizeEmail(input.email);
  const [account, address] = [accountKey(email), addressKey(input.address)];
  const { counted, waitMs } = await reserveAttempt(app, account, address, now);
  if (waitMs > 0) return { kind: 'rate_limited', retryAfterMs: Math.max(1, waitMs) };
  const user = await app.db.read.findUserByEmail(email);
  // the same scrypt work whether or not the account exists: the answer's timing tells nothing
  const matches = await verifyPassword(input.password, user?.passwordHash ?? (await decoy()));
  // a failure stays counted (it was counted before the check)
  if (!user || !matches || user.disabledAt !== null) return { kind: 'refused' };
  const token = randomBytes(32).toString('base64url');
  const session: Session = { idHash: sha256(token), userId: user.id, csrfToken: randomBytes(24).toString('base64url'), createdAt: now, lastSeenAt: now };
  await inTransaction(app, async ({ tx }) => {
    // the account's failures are forgiven; the address's count gets back this attempt, which did not fail
    await tx.clearSignInFailures(account);
    await tx.uncountSignInAttempt(address, counted[1]!.windowStart);
    await tx.deleteIdleSessions(now - SESSION_IDLE_MS);
    await tx.insertSession(session);
  });
  return { kind: 'signed_in', token, session, user };
}

export interface SignedIn {
  session: Session;
  user: User;
  merchant: Merchant;
}

/**
 * The session a cookie's token opens, or null (unknown, idle too long, or its user disabled).
 * A page view is use, and keeps the session alive; `touch: false` checks it without (an open event
 * stream is no use by the person: it must not keep an idle session open).
 */
export async function resumeSession(app: App, token: string | undefined, options: { touch?: boolean } = {}): Promise<SignedIn | null> {
  if (!token || token.length > 100) return null;
  const idHash = sha256(token);
  const session = await app.db.read.getSession(idHash);
  if (!session) return null;
  const now = app.clock.now();
  if (now - session.lastSeenAt >= SESSION_IDLE_MS) {
    await inTransaction(app, ({ tx }) => tx.deleteSession(idHash));
    return null;
  }
  const user = await app.db.read.getUser(session.userId);
  const merchant = user ? await app.db.read.getMerchant(user.merchantId) : null;
  if (!user || !merchant || user.disabledAt !== null) return null;
  if (options.touch !== false && now - session.lastSeenAt >= TOUCH_EVERY_MS) await inTransaction(app, ({ tx }) => tx.touchSession(idHash, now));
  return { session, user, merchant };
}

export async function signOut(app: App, token: string | undefined): Promise<void> {
  if (!token) return;
  await inTransaction(app, ({ tx }) => tx.deleteSession(sha256(token)));
}

/** A signed-in user acts as its merchant's secret key would, in the mode the page shows; the audit log names the user. */
export function callerOf(user: User, livemode: boolean): Caller {
  return { merchantId: user.merchantId, livemode, terminalId: null, credentialId: user.id, kind: 'secret', actor: { type: 'user', id: user.id, name: user.email } };
}

export type Permission = 'read' | 'operate' | 'manage';
const GRANTS: Record<User['role'], readonly Permission[]> = { owner: ['read', 'operate', 'manage'], staff: ['read', 'operate'], viewer: ['read'] };

export function may(user: User, permission: Permission): boolean {
  return GRANTS[user.role].includes(permission);
}
