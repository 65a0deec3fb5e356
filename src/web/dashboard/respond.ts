// How a dashboard route answers: a page, a redirect after a form (303), or, when a use case refuses,
// the page of its refusal with a 4xx status (a 500 stays a bug for the server to log). And how it
// reads its input: a query string by the page's zod schema (queryOf), a form's fields as text (field);
// a parameter given twice, or one the page does not take, is refused (400) rather than guessed at.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseDate } from '../../core/calendar.js';
import { idPattern } from '../../core/uuid-ids.js';
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

/**
 * The payment channel did not answer (the only refusal of a use case that is not final): the
 * operation is kept and finishes when the channel answers, so the page says so in a merchant's words,
 * not the API's (which speaks of retrying with an Idempotency-Key) nor "nothing was changed".
 */
const CHANNEL_AWAY = `<h1>Waiting for the payment channel</h1>
<p class="error-box" role="alert">The payment channel did not answer. The operation is kept and completes when it does; the request's page shows its outcome then, and offers no action until it has.</p>
<p class="muted">Error 503.</p>`;

/** Renders a page; a refusal becomes its own page with the status that fits it. */
export async function dashRoute(request: FastifyRequest, reply: FastifyReply, section: Section, render: (state: DashboardRequestState) => Promise<string | FastifyReply>): Promise<FastifyReply> {
  const state = stateOf(request);
  try {
    singleValued(request.body, 'field');
    const result = await render(state);
    return typeof result === 'string' ? sendHtml(reply, result) : result;
  } catch (error) {
    if (!isDomainError(error)) throw error;
    const status = statusOf(error.code);
    if (error.code === 'service_unavailable') return sendHtml(reply, dashboardPage(state, { title: 'Waiting for the channel', section, main: CHANNEL_AWAY }), status);
    const param = status === 400 && error.param ? `\n<p>The parameter: <code>${esc(error.param)}</code>.</p>` : '';
    const main = `<h1>${status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : 'Not done'}</h1>\n<p class="error-box" role="alert">${esc(error.message)}</p>${param}\n<p class="muted">Nothing was changed. Error ${status}.</p>`;
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

/** Refuses a parameter given more than once (a query string's, or a form's: both keep every value). */
function singleValued(input: unknown, what: 'parameter' | 'field'): void {
  if (typeof input !== 'object' || input === null) return;
  for (const [name, value] of Object.entries(input)) {
    if (Array.isArray(value)) throw new DomainError('parameter_invalid', `The ${what} ${name} was given ${value.length} times: give it once.`, name);
  }
}

/** The shortest of a refused value, to be named in the refusal. */
const shown = (value: unknown) => JSON.stringify(typeof value === 'string' && value.length > 40 ? `${value.slice(0, 40)}…` : value);

/**
 * A page's query string, read by the page's schema (a strict object of optional texts): an empty
 * parameter is as if absent (a GET form sends its empty fields); a parameter given twice, one the
 * page does not take, or a value the schema refuses is a 400 page naming it, before anything is read.
 */
export function queryOf<S extends z.ZodType>(request: FastifyRequest, schema: S): z.output<S> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  singleValued(query, 'parameter');
  const given = Object.fromEntries(Object.entries(query).filter(([, value]) => value !== ''));
  const result = schema.safeParse(given);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const name = issue.keys[0]!;
    throw new DomainError('parameter_invalid', `This page takes no parameter ${name}.`, name);
  }
  const name = String(issue.path[0] ?? '');
  throw new DomainError('parameter_invalid', `The parameter ${name} ${issue.message} (not ${shown(given[name])}).`, name);
}

/** A day a dashboard page reads (the payments' creation dates, a report's from and to): a real one. */
export const dayParam = z.string().refine((text) => parseDate(text) !== null, 'must be a date YYYY-MM-DD');

/** An id of the given kind (`pr`, `we`, `term`, …), as the pages' links and forms carry it. */
export const idParam = (prefix: string, what: string) => z.string().regex(idPattern(prefix), `must be ${what} id (${prefix}_…)`);

/** A list's cursor: the id of the last item of the page before, as the page's "Older →" link carries it. */
export const cursorParam = (prefix: string) => z.string().regex(idPattern(prefix), 'is not a cursor this page made: follow its "Older →" link');

/** A page that reads no query string. */
export const NO_QUERY = z.strictObject({});
