// The dashboard's HTTP side of sessions: cookies (httpOnly, SameSite=Strict, Secure over https),
// the signed-in user on each request, the CSRF check of every form, and the test/live view.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { resumeSession, type SignedIn } from '../../app/use-cases/sessions.js';
import type { App } from '../../app/context.js';

export const SESSION_COOKIE = 'posgate_session';
/** The sign-in form's CSRF token, before there is a session (double submit: cookie and field). */
export const LOGIN_CSRF_COOKIE = 'posgate_login_csrf';
export const MODE_COOKIE = 'posgate_mode';

/** Cookie header → name/value pairs (the first of a repeated name wins). */
export function cookiesOf(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in out) continue;
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // a value that is not valid percent-encoding is no cookie of ours
    }
  }
  return out;
}

/** Whether the browser reached us over https (directly, or as the configured public URL says). */
export function isHttps(request: FastifyRequest, publicUrl: string): boolean {
  return request.protocol === 'https' || publicUrl.startsWith('https:');
}

export function setCookie(reply: FastifyReply, request: FastifyRequest, publicUrl: string, name: string, value: string, maxAgeSeconds: number | null): void {
  const attributes = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (maxAgeSeconds !== null) attributes.push(`Max-Age=${maxAgeSeconds}`);
  if (isHttps(request, publicUrl)) attributes.push('Secure');
  // Fastify adds a Set-Cookie to those the reply has already: each cookie is given once, by itself
  reply.header('set-cookie', attributes.join('; '));
}


export function sameToken(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string' || presented.length === 0) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface DashboardRequestState {
  signedIn: SignedIn;
  livemode: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    dashboard?: DashboardRequestState;
  }
}

export async function loadSignedIn(app: App, request: FastifyRequest): Promise<DashboardRequestState | null> {
  const cookies = cookiesOf(request);
  const signedIn = await resumeSession(app, cookies[SESSION_COOKIE]);
  if (!signedIn) return null;
  return { signedIn, livemode: cookies[MODE_COOKIE] === 'live' };
}
