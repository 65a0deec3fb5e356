// The merchant's dashboard at /dashboard: sign-in, sessions and CSRF here; each group of pages in
// a file of its own. Forms post application/x-www-form-urlencoded (parsed in this scope only: the
// APIs still take JSON alone). Signed out, every page leads to the sign-in form.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { signIn, signOut } from '../../app/use-cases/sessions.js';
import { esc } from '../html.js';
import { refuseAsPage, securityHeaders, sendHtml } from '../http.js';
import { assetPath } from '../assets/index.js';
import { adminRoutes } from './admin.js';
import { auditRoutes } from './audit.js';
import type { DashboardDeps } from './deps.js';
import { overviewRoutes } from './overview.js';
import { reportRoutes } from './reports.js';
import { liveRoutes } from './live.js';
import { requestRoutes } from './requests.js';
import { z } from 'zod';
import { HIDDEN, dashRoute, field, queryOf, seeOther } from './respond.js';
import { DomainError, isDomainError } from '../../core/errors.js';
import { cookiesOf, loadSignedIn, LOGIN_CSRF_COOKIE, MODE_COOKIE, sameToken, SESSION_COOKIE, setCookie } from './session.js';
import { webhookRoutes } from './webhooks.js';

export type { DashboardDeps };

const FORM_LIMIT = 64 * 1024;
const LOGIN_QUERY = z.strictObject({ next: z.string().optional() });

function loginPage(csrf: string, options: { email?: string; message?: string; next?: string } = {}): string {
  return [
    '<!doctype html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">', '<meta name="referrer" content="no-referrer">',
    '<title>Sign in · posgate</title>', '<link rel="icon" href="data:,">',
    `<link rel="stylesheet" href="${assetPath('styles.css')}">`, `<link rel="stylesheet" href="${assetPath('dashboard.css')}">`,
    '</head>', '<body class="page-dashboard page-login">', '<main>',
    '<h1>Sign in to posgate</h1>',
    options.message ? `<p class="error-box" role="alert">${esc(options.message)}</p>` : '',
    '<form method="post" action="/dashboard/login" class="card">',
    `<input type="hidden" name="_csrf" value="${esc(csrf)}">`,
    options.next ? `<input type="hidden" name="next" value="${esc(options.next)}">` : '',
    `<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${esc(options.email ?? '')}">`,
    '<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>',
    '<div class="actions"><button type="submit" class="primary">Sign in</button></div>',
    '</form>',
    '<p class="hint">The demo merchant\'s owner: <code>npx posgate credentials --json</code>, under <code>dashboard</code>.</p>',
    '</main>', '</body>', '</html>', '',
  ].join('\n');
}

/** Only a path of the dashboard itself: a sign-in never sends the browser elsewhere. */
function safeNext(next: string): string {
  return /^\/dashboard(\/[A-Za-z0-9_\-/?=&.%]*)?$/.test(next) && !next.startsWith('//') ? next : '/dashboard';
}

/** Fastify's refusals of a body, in the dashboard's words: its forms are what it takes, up to FORM_LIMIT. */
function inFormWords(error: unknown, request: FastifyRequest): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new DomainError('unsupported_media_type', 'The dashboard takes its forms as application/x-www-form-urlencoded: nothing was changed.');
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' && /^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? ''))
    return new DomainError('payload_too_large', `The form is larger than ${FORM_LIMIT / 1024} KiB: nothing was changed.`);
  return error;
}

function freshLoginForm(request: FastifyRequest, reply: FastifyReply, deps: DashboardDeps, status: number, options: { email?: string; message?: string; next?: string } = {}): FastifyReply {
  const csrf = randomBytes(24).toString('base64url');
  setCookie(reply, request, deps.publicUrl, LOGIN_CSRF_COOKIE, csrf, 3600);
  return sendHtml(reply, loginPage(csrf, options), status);
}

function signInRoutes(fastify: FastifyInstance, deps: DashboardDeps): void {
  fastify.get('/', HIDDEN, async (_request, reply) => reply.status(302).header('location', '/dashboard').send());

  fastify.get('/dashboard/login', HIDDEN, async (request, reply) => {
    if (await loadSignedIn(deps.app, request)) return reply.status(303).header('location', '/dashboard').send();
    let next: string | undefined;
    try {
      next = queryOf(request, LOGIN_QUERY).next;
    } catch (error) {
      if (!isDomainError(error)) throw error;
      return freshLoginForm(request, reply, deps, 400, { message: error.message });
    }
    return freshLoginForm(request, reply, deps, 200, { next: next ? safeNext(next) : undefined });
  });

  fastify.post('/dashboard/login', HIDDEN, async (request, reply) => {
    const body = request.body;
    const email = field(body, 'email');
    const next = safeNext(field(body, 'next') || '/dashboard');
    if (!sameToken(field(body, '_csrf'), cookiesOf(request)[LOGIN_CSRF_COOKIE] ?? ''))
      return freshLoginForm(request, reply, deps, 403, { email, next, message: 'The form had expired: please sign in again.' });
    const password = field(body, 'password');
    if (!email || !password || password.length > 1000) return freshLoginForm(request, reply, deps, 400, { email, next, message: 'Enter your email and password.' });
    const result = await signIn(deps.app, { email, password, address: request.ip });
    if (result.kind === 'rate_limited') {
      reply.header('retry-after', String(Math.ceil(result.retryAfterMs / 1000)));
      return freshLoginForm(request, reply, deps, 429, { email, next, message: 'Too many failed attempts: wait a few minutes, then try again.' });
    }
    // one answer for an unknown email, a wrong password and a disabled user
    if (result.kind === 'refused') return freshLoginForm(request, reply, deps, 401, { email, next, message: 'That email and password do not match an account.' });
    setCookie(reply, request, deps.publicUrl, SESSION_COOKIE, result.token, null);
    setCookie(reply, request, deps.publicUrl, LOGIN_CSRF_COOKIE, '', 0);
    return seeOther(reply, next);
  });
}

export async function dashboard(fastify: FastifyInstance, deps: DashboardDeps): Promise<void> {
  await fastify.register(async (scope) => {
    // event streams end when the server shuts down
    const closing = new AbortController();
    scope.addHook('preClose', async () => closing.abort());
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT }, (_request, body, done) => {
      // a name given twice keeps both values: a route refuses it (dashRoute) rather than pick one
      const form: Record<string, string | string[]> = Object.create(null);
      for (const [name, value] of new URLSearchParams(body as string)) {
        const had = form[name];
        form[name] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
      }
      done(null, form);
    });
    scope.addHook('onRequest', async (_request, reply) => {
      securityHeaders(reply);
      reply.header('cache-control', 'no-store');
    });
    scope.setErrorHandler((error, request, reply) => refuseAsPage(inFormWords(error, request), request, reply));
    signInRoutes(scope, deps);

    await scope.register(async (signedIn) => {
      // every page below needs a session; every form below needs its CSRF token
      signedIn.addHook('preHandler', async (request, reply) => {
        const state = await loadSignedIn(deps.app, request);
        if (!state) {
          const next = request.method === 'GET' ? `?next=${encodeURIComponent(safeNext(request.url))}` : '';
          return reply.status(303).header('location', `/dashboard/login${next}`).send();
        }
        if (request.method !== 'GET' && request.method !== 'HEAD' && !sameToken(field(request.body, '_csrf'), state.signedIn.session.csrfToken))
          return sendHtml(reply, '<!doctype html><title>Refused</title><h1>Refused</h1><p>The form carried no valid CSRF token: nothing was changed. Reload the page and try again.</p>', 403);
        request.dashboard = state;
      });
      signedIn.post('/dashboard/logout', HIDDEN, async (request, reply) => {
        await signOut(deps.app, cookiesOf(request)[SESSION_COOKIE]);
        setCookie(reply, request, deps.publicUrl, SESSION_COOKIE, '', 0);
        return seeOther(reply, '/dashboard/login');
      });
      signedIn.post('/dashboard/mode', HIDDEN, async (request, reply) => {
        const live = field(request.body, 'mode') === 'live';
        setCookie(reply, request, deps.publicUrl, MODE_COOKIE, live ? 'live' : 'test', 365 * 24 * 3600);
        return seeOther(reply, '/dashboard');
      });
      overviewRoutes(signedIn, deps);
      liveRoutes(signedIn, deps, closing.signal);
      requestRoutes(signedIn, deps);
      webhookRoutes(signedIn, deps);
      reportRoutes(signedIn, deps);
      auditRoutes(signedIn, deps);
      adminRoutes(signedIn, deps);
      // an address under /dashboard that is no page: signed out it led to the sign-in form above
      signedIn.get('/dashboard/*', HIDDEN, async (request, reply) =>
        dashRoute(request, reply, 'overview', async () => {
          throw new DomainError('not_found', `There is no page ${request.url.split('?')[0]}.`);
        }));
    });
  });
}
