// The owner's pages: users (create with a password shown once, disable) and terminals and API keys
// (create a terminal, issue a key shown once, revoke). Staff and viewers get 403.
import { zoneOf } from '../../app/use-cases/reports.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { USER_ROLES, type UserRole } from '../../app/ports/dashboard.js';
import type { Mode } from '../../app/ports/persistence.js';
import type { Actor } from '../../app/use-cases/audit.js';
import { createTerminalAsOwner, createUserAsOwner, disableUserAsOwner, issueDisplayTokenAsOwner, issueKeyAsOwner, keysView, revokeDisplayTokenAsOwner, revokeKeyAsOwner } from '../../app/use-cases/dashboard.js';
import { listUsers } from '../../app/use-cases/users.js';
import { DomainError } from '../../core/errors.js';
import { esc } from '../html.js';
import type { DashboardDeps } from './deps.js';
import { csrfField, dashboardPage, pill, time, type Section } from './layout.js';
import { HIDDEN, NO_QUERY, dashRoute, field, need, queryOf, seeOther } from './respond.js';
import type { DashboardRequestState } from './session.js';

const actorOf = (state: DashboardRequestState): Actor => ({ type: 'user', id: state.signedIn.user.id, name: state.signedIn.user.email, merchantId: state.signedIn.user.merchantId });

async function usersPage(deps: DashboardDeps, state: DashboardRequestState, shown: { email: string; password: string } | null): Promise<string> {
  const zone = zoneOf(state.signedIn.merchant);
  const users = await listUsers(deps.app, state.signedIn.merchant.id);
  const rows = users.map((u) => `<tr><td>${esc(u.email)}</td><td>${esc(u.role)}</td><td>${time(u.createdAt, zone)}</td><td>${u.disabledAt === null ? pill('active') : pill('disabled')}</td>
<td>${u.disabledAt === null && u.id !== state.signedIn.user.id ? `<form method="post" action="/dashboard/users/${esc(u.id)}/disable" class="inline">${csrfField(state)}<button type="submit" class="secondary">Disable</button></form>` : ''}</td></tr>`).join('\n');
  const main = `<h1>Users</h1>
${shown ? `<p class="secret" role="status">Password of ${esc(shown.email)}, shown once: <code class="mono" id="new-password">${esc(shown.password)}</code></p>` : ''}
<div class="table-wrap"><table class="data" id="users"><thead><tr><th>Email</th><th>Role</th><th>Created</th><th>Status</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>
<form method="post" action="/dashboard/users" class="card" aria-label="New user">${csrfField(state)}<h2>New user</h2>
<label for="u-email">Email</label><input id="u-email" name="email" type="email" required>
<label for="u-role">Role</label><select id="u-role" name="role">${USER_ROLES.map((r) => `<option value="${r}">${r}</option>`).join('')}</select>
<p class="hint">owner: everything, keys and users included · staff: refunds, cancels, captures, redelivery · viewer: reads only</p>
<div class="actions"><button type="submit" class="primary">Create user</button></div></form>`;
  return dashboardPage(state, { title: 'Users', section: 'users', main });
}

async function keysPage(deps: DashboardDeps, state: DashboardRequestState, shown: { id: string; secret: string; webhookSecret?: string } | null, shownDisplay: string | null = null): Promise<string> {
  const zone = zoneOf(state.signedIn.merchant);
  const { terminals, keys, displayTokens } = await keysView(deps.app, state.signedIn.merchant.id);
  const terminalName = new Map(terminals.map((t) => [t.id, t.name]));
  const rows = keys.map((k) => `<tr><td class="mono">${esc(k.id)}</td><td>${esc(k.kind)}</td><td>${esc(k.mode)}</td><td>${esc(k.terminalId ? terminalName.get(k.terminalId) ?? k.terminalId : '—')}</td><td class="mono">…${esc(k.last4)}</td><td>${time(k.createdAt, zone)}</td>
<td>${k.revokedAt === null ? `<form method="post" action="/dashboard/keys/${esc(k.id)}/revoke" class="inline">${csrfField(state)}<button type="submit" class="secondary">Revoke</button></form>` : `revoked ${time(k.revokedAt, zone)}`}</td></tr>`).join('\n');
  const main = `<h1>Terminals and API keys</h1>
${shown ? `<p class="secret" role="status">Key ${esc(shown.id)}, shown once (only its hash is kept): <code class="mono" id="new-key">${esc(shown.secret)}</code>${shown.webhookSecret ? `<br>Webhook secret of this mode (signs what goes to a request's own webhookUrl): <code class="mono" id="new-key-webhook-secret">${esc(shown.webhookSecret)}</code>` : ''}</p>` : ''}
<section class="card"><h2>Terminals</h2><ul>${terminals.map((t) => `<li><span class="mono">${esc(t.id)}</span> ${esc(t.name)}</li>`).join('')}</ul>
<form method="post" action="/dashboard/terminals" aria-label="New terminal">${csrfField(state)}<label for="t-name">New terminal (your own terminal id)</label><input id="t-name" name="name" required maxlength="200"><div class="actions"><button type="submit">Create terminal</button></div></form></section>
<section class="card"><h2>API keys</h2><div class="table-wrap"><table class="data" id="keys"><thead><tr><th>Id</th><th>Kind</th><th>Mode</th><th>Terminal</th><th>Ends</th><th>Created</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>
<form method="post" action="/dashboard/keys" aria-label="New key">${csrfField(state)}
<label for="k-terminal">For</label><select id="k-terminal" name="terminalId"><option value="">A merchant secret key (sk_)</option>${terminals.map((t) => `<option value="${esc(t.id)}">Terminal ${esc(t.name)} (tk_)</option>`).join('')}</select>
<label for="k-mode">Mode</label><select id="k-mode" name="mode"><option value="test">test</option><option value="live">live</option></select>
<div class="actions"><button type="submit">Create key</button></div></form></section>
<section class="card"><h2>Customer displays</h2>
<p class="hint">A display token shows one terminal's customer display and can do nothing else: put its address on the screen that faces customers, never an API key.</p>
${shownDisplay ? `<p class="secret" role="status">Display address, shown once: <code class="mono" id="new-display-url">${esc(shownDisplay)}</code></p>` : ''}
<div class="table-wrap"><table class="data" id="display-tokens"><thead><tr><th>Id</th><th>Terminal</th><th>Mode</th><th>Ends</th><th>Created</th><th></th></tr></thead><tbody>
${displayTokens.map((d) => `<tr><td class="mono">${esc(d.id)}</td><td>${esc(terminalName.get(d.terminalId) ?? d.terminalId)}</td><td>${d.livemode ? 'live' : 'test'}</td><td class="mono">…${esc(d.last4)}</td><td>${time(d.createdAt, zone)}</td>
<td>${d.revokedAt === null ? `<form method="post" action="/dashboard/display-tokens/${esc(d.id)}/revoke" class="inline">${csrfField(state)}<button type="submit" class="secondary">Revoke</button></form>` : `revoked ${time(d.revokedAt, zone)}`}</td></tr>`).join('\n')}
</tbody></table></div>
<form method="post" action="/dashboard/display-tokens" aria-label="New display token">${csrfField(state)}
<label for="d-terminal">Terminal</label><select id="d-terminal" name="terminalId">${terminals.map((t) => `<option value="${esc(t.id)}">${esc(t.name)}</option>`).join('')}</select>
<label for="d-mode">Mode</label><select id="d-mode" name="mode"><option value="test">test</option><option value="live">live</option></select>
<div class="actions"><button type="submit">Make a display address</button></div></form></section>`;
  return dashboardPage(state, { title: 'Terminals and keys', section: 'keys', main });
}

/** A page or action for owners only: the dashboard's answer, after the role is checked. */
const ownersOnly =
  (section: Section, render: (state: DashboardRequestState, request: FastifyRequest, reply: FastifyReply) => Promise<string | FastifyReply>) =>
  (request: FastifyRequest, reply: FastifyReply) =>
    dashRoute(request, reply, section, async (state) => {
      need(state, 'manage');
      return render(state, request, reply);
    });

function modeField(body: unknown): Mode {
  const mode = field(body, 'mode');
  if (mode !== 'test' && mode !== 'live') throw new DomainError('parameter_invalid', 'mode must be test or live.', 'mode');
  return mode;
}

export function adminRoutes(fastify: FastifyInstance, deps: DashboardDeps): void {
  fastify.get('/dashboard/users', HIDDEN, ownersOnly('users', async (state, request) => {
      queryOf(request, NO_QUERY);
      return usersPage(deps, state, null);
    }));
  fastify.post('/dashboard/users', HIDDEN, ownersOnly('users', async (state, request) => {
      const role = field(request.body, 'role');
      if (!(USER_ROLES as readonly string[]).includes(role)) throw new DomainError('parameter_invalid', `role must be one of ${USER_ROLES.join(', ')}.`, 'role');
      const created = await createUserAsOwner(deps.app, actorOf(state), { email: field(request.body, 'email'), role: role as UserRole });
      // the password is shown in this answer only (no redirect: it must not sit in a URL)
      return usersPage(deps, state, { email: created.user.email, password: created.password });
    }));
  fastify.post('/dashboard/users/:id/disable', HIDDEN, ownersOnly('users', async (state, request, reply) => {
      await disableUserAsOwner(deps.app, actorOf(state), (request.params as { id: string }).id);
      return seeOther(reply, '/dashboard/users');
    }));

  fastify.get('/dashboard/keys', HIDDEN, ownersOnly('keys', async (state, request) => {
      queryOf(request, NO_QUERY);
      return keysPage(deps, state, null);
    }));
  fastify.post('/dashboard/keys', HIDDEN, ownersOnly('keys', async (state, request) => {
      const mode = modeField(request.body);
      const issued = await issueKeyAsOwner(deps.app, actorOf(state), { terminalId: field(request.body, 'terminalId') || null, mode });
      return keysPage(deps, state, { id: issued.key.id, secret: issued.secret, ...(issued.webhookSecret ? { webhookSecret: issued.webhookSecret } : {}) });
    }));
  fastify.post('/dashboard/keys/:id/revoke', HIDDEN, ownersOnly('keys', async (state, request, reply) => {
      await revokeKeyAsOwner(deps.app, actorOf(state), (request.params as { id: string }).id);
      return seeOther(reply, '/dashboard/keys');
    }));
  fastify.post('/dashboard/display-tokens', HIDDEN, ownersOnly('keys', async (state, request) => {
      const mode = modeField(request.body);
      const issued = await issueDisplayTokenAsOwner(deps.app, actorOf(state), { terminalId: field(request.body, 'terminalId'), mode });
      return keysPage(deps, state, null, `${deps.publicUrl}/display/${issued.token.terminalId}?token=${issued.secret}`);
    }));
  fastify.post('/dashboard/display-tokens/:id/revoke', HIDDEN, ownersOnly('keys', async (state, request, reply) => {
      await revokeDisplayTokenAsOwner(deps.app, actorOf(state), (request.params as { id: string }).id);
      return seeOther(reply, '/dashboard/keys');
    }));
  fastify.post('/dashboard/terminals', HIDDEN, ownersOnly('keys', async (state, request, reply) => {
      await createTerminalAsOwner(deps.app, actorOf(state), field(request.body, 'name').trim());
      return seeOther(reply, '/dashboard/keys');
    }));
}
