// The persistence port's part for the merchant's dashboard: its users, their server-side sessions,
// the sign-in failures that rate-limit guessing, and the audit log of who changed what.
import type { DeliveryAttempt } from '../../core/webhooks.js';
import type { ApiKey, Page } from './persistence.js';

export const USER_ROLES = ['owner', 'staff', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface User {
  id: string;
  merchantId: string;
  /** Lower case: one account per address. */
  email: string;
  role: UserRole;
  /** scrypt$N$r$p$salt$hash (base64url): never leaves the use cases. */
  passwordHash: string;
  createdAt: number;
  disabledAt: number | null;
}

export interface Session {
  /** SHA-256 hex of the cookie's token: the token itself is never stored. */
  idHash: string;
  userId: string;
  /** Sent back in every form of the session; a form without it changes nothing. */
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface SignInFailures {
  key: string;
  windowStart: number;
  failures: number;
}

export interface AuditEntry {
  id: string;
  merchantId: string;
  livemode: boolean;
  /** 'user' (the dashboard) or 'api_key' (the API). */
  actorType: 'user' | 'api_key';
  actorId: string;
  /** The user's email, or the key's kind and last 4 characters: what the page shows. */
  actorName: string;
  /** e.g. payment_request.refund, payment_request.cancel, user.create, api_key.revoke. */
  action: string;
  objectType: string;
  objectId: string;
  /** What else tells the action apart (an amount, a role), as text. */
  detail: string | null;
  createdAt: number;
}

/** A customer display's credential: it shows one terminal's display, and can do nothing else. */
export interface DisplayToken {
  id: string;
  merchantId: string;
  terminalId: string;
  livemode: boolean;
  /** SHA-256 hex of the token: the token itself is never stored. */
  hash: string;
  last4: string;
  createdAt: number;
  revokedAt: number | null;
}

/** A delivery attempt with what the log shows beside it. */
export interface LoggedAttempt extends DeliveryAttempt {
  eventType: string;
  paymentRequestId: string;
}

export interface DashboardReads {
  getUser(id: string): Promise<User | null>;
  findUserByEmail(email: string): Promise<User | null>;
  listUsers(merchantId: string): Promise<User[]>;
  /** A merchant's API keys (revoked ones too), oldest first. */
  listApiKeys(merchantId: string): Promise<ApiKey[]>;
  getSession(idHash: string): Promise<Session | null>;
  findDisplayTokenByHash(hash: string): Promise<DisplayToken | null>;
  getDisplayToken(id: string): Promise<DisplayToken | null>;
  /** A merchant's display tokens (revoked ones too), oldest first. */
  listDisplayTokens(merchantId: string): Promise<DisplayToken[]>;
  getSignInFailures(key: string): Promise<SignInFailures | null>;
  /** Newest first, a page at a time; both modes when `livemode` is null. */
  listAuditEntries(merchantId: string, livemode: boolean | null, page: { limit: number; beforeId?: string; objectId?: string }): Promise<Page<AuditEntry>>;
  /** The latest delivery attempts to one merchant's endpoints and request URLs in one mode, newest first. */
  listRecentDeliveryAttempts(merchantId: string, livemode: boolean, page: { limit: number; endpointId?: string }): Promise<LoggedAttempt[]>;
  /** The deliveries of one request's events (any target), oldest first. */
  listDeliveryAttemptsOfRequest(paymentRequestId: string): Promise<LoggedAttempt[]>;
}

export interface DashboardWrites {
  insertUser(user: User): Promise<void>;
  setUserDisabled(id: string, at: number | null): Promise<void>;
  setUserPassword(id: string, passwordHash: string): Promise<void>;
  insertSession(session: Session): Promise<void>;
  insertDisplayToken(token: DisplayToken): Promise<void>;
  revokeDisplayToken(id: string, at: number): Promise<void>;
  touchSession(idHash: string, at: number): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  deleteSessionsOfUser(userId: string): Promise<void>;
  /** Sessions last seen before `before`: gone. Returns how many. */
  deleteIdleSessions(before: number): Promise<number>;
  /**
   * Counts one sign-in attempt against `key` in one atomic statement (an insert or an increment):
   * attempts made at once each get a count of their own, none is lost. A window that began
   * `windowMs` or more before `now` starts again at `now` with this attempt. Returns the key's
   * window and count with this attempt in it.
   */
  countSignInAttempt(key: string, now: number, windowMs: number): Promise<SignInFailures>;
  /** Takes back one attempt counted in the window that began at `windowStart` (nothing once that window has started again). */
  uncountSignInAttempt(key: string, windowStart: number): Promise<void>;
  clearSignInFailures(key: string): Promise<void>;
  insertAuditEntry(entry: AuditEntry): Promise<void>;
}
