// How a dashboard route answers: a page, a redirect after a form (303), or, when a use case refuses,
// the page of its refusal with a 4xx status (a 500 stays a bug for the server to log).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, isDomainError, type ErrorCode } from '../../core/errors.js';
import { may, type Permission } from '../../app/use-cases/sessions.js';
import { esc } from '../html.js';
import { sendHtml } from '../http.js';
import { dashboardPage, type Section } from './layout.js';
import type { DashboardRequestState } from './session.js';

/** Route options of every dashboard page: pages, not API, so they stay out of the OpenAPI document. */
export const HIDDEN = { schema: { hide: true } };

const BAD_INPUT: readonly ErrorCode[] = [
  'parameter_missing', 'parameter_invalid', 'amount_invalid', 'currency_invalid', 'unknown_field', 'line_items_mismatch', 'currency_mismatch',
  'amount_exceeds_authorized', 'amount_exceeds_refundable', 'short_code_invalid',
];

export function statusOf(code: ErrorCode): number {
  if (code === 'not_found' || code === 'route_not_found') return 404;
  if (code === 'permission_denied') return 403;
  if (BAD_INPUT.includes(code)) return 400;
  if (code === 'service_unavailable') return 503;
  return 409;
}

export function stateOf(request: FastifyRequest): DashboardRequestState {
  if (!request.dashboard) throw new Error('dashboard route without a session: the hook must run first');
  return request.dashboard;
}

export function need(state: DashboardRequestState, permission: Permission): void {
  if (!may(state.signedIn.user, permission))
    throw new DomainError('permission_denied', `Your role (${state.signedIn.user.role}) may not do this; ask an owner.`);
}

/** Renders a page; a refusal becomes its own page with the status that fits it. */
export async function dashRoute(request: FastifyRequest, reply: FastifyReply, section: Section, render: (state: DashboardRequestState) => Promise<string | FastifyReply>): Promise<FastifyReply> {
  const state = stateOf(request);
  try {
    const result = await render(state);
    return typeof result === 'string' ? sendHtml(reply, result) : result;
  } catch (error) {
    if (!isDomainError(error)) throw error;
    const status = statusOf(error.code);
    const main = `<h1>${status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : 'Not done'}</h1>\n<p class="error-box" role="alert">${esc(error.message)}</p>\n<p class="muted">Nothing was changed. Error ${status}.</p>`;
    return sendHtml(reply, dashboardPage(state, { title: 'Error', section, main }), status);
  }
}

/** After a form that changed something: back to a page (303: the browser GETs it). */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.status(303).header('location', location).send();
}

/** A form field as text ('' when absent or not text). */
export function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}
