// Dashboard users: one merchant each, with a role. Passwords are hashed with scrypt (node:crypto)
// and compared in constant time; a user is disabled, never deleted (the audit log names it).
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { DomainError } from '../../core/errors.js';
import type { App } from '../context.js';
import { USER_ROLES, type User, type UserRole } from '../ports/dashboard.js';
import { UniqueViolation } from '../ports/persistence.js';
import type { Work } from '../unit-of-work.js';
import { recordAudit, type Actor } from './audit.js';
import { requireMerchant } from './merchants.js';

/** scrypt's cost: 2^15 × 8 × 128 B = 32 MiB and ~50 ms a hash here, OWASP's floor for scrypt. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_LENGTH = 32;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

function scrypt(password: string, salt: Buffer, options: ScryptOptions & { N: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/** `scrypt$N$r$p$salt$hash`, the parameters kept so that a later cost still verifies old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash of a password nobody has: an unknown email costs the same scrypt as a known one. */
let decoyHash: Promise<string> | null = null;
export function decoy(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(24).toString('base64url'));
  return decoyHash;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH)
    throw new DomainError('parameter_invalid', `A password has ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`, 'password');
}

/** A password to hand out once: 128 random bits, in characters anyone can type. */
export function generatePassword(): string {
  return randomBytes(16).toString('base64url');
}

/** A new user's password (given or generated) and its scrypt hash. */
export interface NewPassword {
  password: string;
  hash: string;
}

/**
 * Checks and hashes a new password (absent: one is generated, to be shown once). Before the
 * transaction that creates the user, never inside it: a hash takes tens of milliseconds, and on
 * SQLite an open transaction holds the one writer (a CLI command's holds the file's write lock
 * against the server) for all that time; a retried unit also reuses it.
 */
export async function newPassword(given?: string): Promise<NewPassword> {
  const password = given ?? generatePassword();
  checkPassword(password);
  return { password, hash: await hashPassword(password) };
}

export interface NewUser {
  merchantId: string;
  email: string;
  role: UserRole;
  password: NewPassword;
}

export interface CreatedUser {
  user: User;
  /** The password as given or generated: shown once, only its hash is kept. */
  password: string;
}

export async function createUser(unit: Work, input: NewUser, actor?: Actor): Promise<CreatedUser> {
  const email = normalizeEmail(input.email);
  if (!EMAIL.test(email) || email.length > 254) throw new DomainError('parameter_invalid', `${input.email} is not an email address.`, 'email');
  if (!USER_ROLES.includes(input.role)) throw new DomainError('parameter_invalid', `role must be one of ${USER_ROLES.join(', ')}.`, 'role');
  await requireMerchant(unit.tx, input.merchantId);
  const user: User = {
    id: unit.app.ids.id('usr'), merchantId: input.merchantId, email, role: input.role,
    passwordHash: input.password.hash, createdAt: unit.app.clock.now(), disabledAt: null,
  };
  try {
    await unit.tx.insertUser(user);
  } catch (error) {
    if (error instanceof UniqueViolation) throw new DomainError('already_exists', `There is already a user ${email}.`, 'email');
    throw error;
  }
  if (actor) await recordAudit(unit, actor, false, 'user.create', 'user', user.id, `${email} (${user.role})`);
  return { user, password: input.password.password };
}

export async function listUsers(app: App, merchantId: string): Promise<User[]> {
  await requireMerchant(app.db.read, merchantId);
  return app.db.read.listUsers(merchantId);
}

/** A user of `merchantId` (any merchant when null), by id or email. */
async function findUser(unit: Work, merchantId: string | null, idOrEmail: string): Promise<User> {
  const user = idOrEmail.includes('@') ? await unit.tx.findUserByEmail(normalizeEmail(idOrEmail)) : await unit.tx.getUser(idOrEmail);
  if (!user || (merchantId !== null && user.merchantId !== merchantId)) throw new DomainError('not_found', `No user ${idOrEmail}.`);
  return user;
}

/** Disables a user and ends its sessions at once; a signed-in user (`actor`) cannot disable itself, named by id or by email. */
export async function disableUser(unit: Work, merchantId: string | null, idOrEmail: string, actor?: Actor): Promise<User> {
  const user = await findUser(unit, merchantId, idOrEmail);
  // the user it names, not the words it was named with, is compared: its email names it as well as its id
  if (actor?.type === 'user' && user.id === actor.id) throw new DomainError('parameter_invalid', 'You cannot disable yourself; ask another owner.', 'userId');
  if (user.disabledAt !== null) return user;
  const at = unit.app.clock.now();
  await unit.tx.setUserDisabled(user.id, at);
  await unit.tx.deleteSessionsOfUser(user.id);
  if (actor) await recordAudit(unit, actor, false, 'user.disable', 'user', user.id, user.email);
  return { ...user, disabledAt: at };
}

