// The operator's API under /admin/v1: merchants, stores, terminals, keys, credential sets and the
// webhook signing key.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { verifyAdminToken } from '../../../app/use-cases/bootstrap.js';
import * as uc from '../../../app/use-cases/merchants.js';
import { issueCredentialSet, revokeDialectCredential } from '../../../app/use-cases/dialect-credentials.js';
import { rotateSigningKey } from '../../../app/use-cases/signing-keys.js';
import { inTransaction, type Work } from '../../../app/unit-of-work.js';
import { DomainError } from '../../../core/errors.js';
import { decimalToMinor } from '../../../core/money.js';
import { credentialDialect, credentialOptions } from '../../dialect.js';
import { bearerToken } from '../../shared/auth.js';
import { respond, type Credential } from '../../shared/idempotency.js';
import { errors } from '../../shared/openapi.js';
import type { NativeDeps } from '../deps.js';
import { listBody } from '../pagination.js';
import { renderIssuedKey, renderMerchant, renderStore, renderTerminal } from '../render.js';
import * as s from '../schemas.js';

const tags = ['Admin'];
/** The operator's token, not an API key (the `adminToken` scheme of the document). */
const security = [{ adminToken: [] }];
const notFound = errors('not_found');
const ADMIN: Credential = { credentialId: 'admin' };
const NameBody = z.strictObject({ name: z.string().min(1).max(200) });
const ModeBody = z.strictObject({ mode: z.enum(['test', 'live']) });
/** A percent as exact decimal text with at most 2 decimals ("0.5", "2.25"), turned into basis points: no float. */
const TolerancePercent = z.string().regex(/^\d{1,3}(\.\d{1,2})?$/, 'a percent as decimal text with at most 2 decimals, e.g. "0.5"')
  .transform((text) => decimalToMinor(text, 2) ?? 0);
/** Each dialect's own options, checked by its schema once the dialect is known. */
const IssueBody = z.record(z.string(), z.unknown());
/** `{ baseUrl, <dialect>: <its set> }`: the set's shape is the dialect's own. */
const CredentialSet = z.looseObject({ baseUrl: z.string() }).describe('baseUrl, and the set under the dialect\'s name');
const SigningKey = z.object({ kid: z.string(), signsFrom: z.string().describe('ISO-8601 UTC with milliseconds') });


export function adminRoutes(fastify: FastifyInstance, deps: NativeDeps): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const { app } = deps;

  fastify.addHook('onRequest', async (request) => {
    const token = bearerToken(request);
    if (!token) throw new DomainError('missing_api_key', 'No admin token: send Authorization: Bearer <admin token>.');
    if (!(await verifyAdminToken(app, deps.adminToken, token))) throw new DomainError('invalid_api_key', 'The admin token is not valid.');
  });

  r.post('/admin/v1/merchants', { schema: { tags, security, summary: 'Create a merchant', operationId: 'adminCreateMerchant', body: NameBody, headers: s.IdempotencyHeaders, response: { 201: s.NewMerchant } } }, async (req, reply) =>
    respond(app, req, reply, ADMIN, (unit) => uc.createMerchant(unit, req.body), ({ merchant, store }) => ({ status: 201, body: { ...renderMerchant(merchant), stores: [renderStore(store)] } })));

  r.get('/admin/v1/merchants', { schema: { tags, security, summary: 'List merchants', operationId: 'adminListMerchants', querystring: s.PageQuery, response: { 200: s.ListOf(s.MerchantObject) } } }, async (req) => {
    const page = await uc.listMerchants(app, { limit: req.query.limit, afterId: req.query.cursor });
    return listBody(page.items.map(renderMerchant), page.hasMore, page.items.at(-1)?.id);
  });

  r.get('/admin/v1/merchants/:id', { schema: { tags, security, summary: 'Read a merchant with its stores and terminals', operationId: 'adminRetrieveMerchant', params: s.IdParams, response: { 200: s.MerchantOverview }, 'x-errors': notFound } }, async (req) => {
    const { merchant, stores, terminals } = await uc.merchantOverview(app, req.params.id);
    return { ...renderMerchant(merchant), stores: stores.map(renderStore), terminals: terminals.map((t) => renderTerminal(t, deps.publicUrl)) };
  });

  r.patch('/admin/v1/merchants/:id', {
    schema: {
      tags, security, summary: "Change a merchant's settings (each field optional)", operationId: 'adminUpdateMerchant', params: s.IdParams,
      body: z.strictObject({
        underpaymentTolerancePercent: TolerancePercent.optional(),
        timeZone: z.string().min(1).max(64).nullable().optional().describe('IANA time zone (e.g. Africa/Lagos) for local dates and times; null for none'),
      }),
      response: { 200: s.MerchantObject }, 'x-errors': notFound,
    },
  }, async (req) => {
    const { underpaymentTolerancePercent, timeZone } = req.body;
    const merchant = await inTransaction(app, (unit) => uc.updateMerchantSettings(unit, req.params.id, { underpaymentToleranceBps: underpaymentTolerancePercent, timeZone }));
    return renderMerchant(merchant);
  });

  r.post('/admin/v1/merchants/:id/stores', { schema: { tags, security, summary: 'Create a store', operationId: 'adminCreateStore', params: s.IdParams, body: NameBody, headers: s.IdempotencyHeaders, response: { 201: s.StoreObject }, 'x-errors': notFound } }, async (req, reply) =>
    respond(app, req, reply, ADMIN, (unit) => uc.createStore(unit, req.params.id, req.body), (store) => ({ status: 201, body: renderStore(store) })));

  r.post('/admin/v1/stores/:id/terminals', {
    schema: {
      tags, security, summary: "Create a terminal (name: the merchant's own terminal id)", operationId: 'adminCreateTerminal', params: s.IdParams, body: NameBody, headers: s.IdempotencyHeaders,
      response: { 201: s.TerminalObject }, 'x-errors': errors('not_found', 'terminal_name_taken'),
    },
  }, async (req, reply) =>
    respond(app, req, reply, ADMIN, (unit) => uc.createTerminal(unit, req.params.id, req.body), (t) => ({ status: 201, body: renderTerminal(t, deps.publicUrl) })));

  r.post('/admin/v1/merchants/:id/keys', { schema: { tags, security, summary: 'A merchant secret key (shown once)', operationId: 'adminCreateMerchantKey', params: s.IdParams, body: ModeBody, headers: s.IdempotencyHeaders, response: { 201: s.ApiKeyObject }, 'x-errors': notFound } }, async (req, reply) =>
    respond(app, req, reply, ADMIN, (unit) => uc.createApiKey(unit, { merchantId: req.params.id, mode: req.body.mode }), (issued) => ({ status: 201, body: renderIssuedKey(issued) })));

  r.post('/admin/v1/terminals/:id/keys', { schema: { tags, security, summary: 'A terminal key (shown once)', operationId: 'adminCreateTerminalKey', params: s.IdParams, body: ModeBody, headers: s.IdempotencyHeaders, response: { 201: s.ApiKeyObject }, 'x-errors': notFound } }, async (req, reply) =>
    respond(app, req, reply, ADMIN, (unit) => uc.createKeyForTerminal(unit, req.params.id, req.body.mode), (issued) => ({ status: 201, body: renderIssuedKey(issued) })));

  r.delete('/admin/v1/keys/:id', { schema: { tags, security, summary: 'Revoke a key', operationId: 'adminRevokeKey', params: s.IdParams, response: { 200: s.ApiKeyObject }, 'x-errors': notFound } }, async (req) =>
    renderIssuedKey({ key: await inTransaction(app, (unit) => uc.revokeApiKey(unit, req.params.id)), secret: '' }));

  r.post('/admin/v1/merchants/:id/credentials/:dialect', {
    schema: {
      tags, security, summary: "A fresh credential set for one dialect, in the shape of `posgate credentials --json`", operationId: 'adminIssueCredentials',
      response: { 201: CredentialSet }, 'x-errors': errors('not_found', 'already_exists'),
      description: `The body holds the dialect's own options: ${deps.dialects.filter((d) => d.credentials).map((d) => `${d.name}: ${Object.keys(d.credentials?.options?.shape ?? {}).join(', ') || 'none'}`).join('; ')}.`,
      params: z.strictObject({ id: z.string().min(1).max(100), dialect: z.string().min(1).max(30) }), body: IssueBody, headers: s.IdempotencyHeaders,
    },
  }, async (req, reply) => {
    const { id, dialect: name } = req.params;
    const dialect = credentialDialect(deps.dialects, name);
    const options = credentialOptions(dialect.credentials, req.body);
    return respond(app, req, reply, ADMIN, (unit: Work) => issueCredentialSet(unit, dialect.name, id, options, (on) => dialect.credentials.issue(on, id, options)), (set) => ({ status: 201, body: { baseUrl: deps.publicUrl, [name]: set } }));
  });

  r.delete('/admin/v1/merchants/:id/credentials/:dialect', {
    schema: {
      tags, security, summary: "Revoke a merchant's credential set for one dialect: it stops working at once (its terminal key too), and a new set may then be issued",
      operationId: 'adminRevokeCredentials', params: z.strictObject({ id: z.string().min(1).max(100), dialect: z.string().min(1).max(30) }),
      response: { 200: z.object({ merchantId: z.string(), dialect: z.string(), revoked: z.literal(true) }) }, 'x-errors': notFound,
    },
  }, async (req) => {
    const dialect = credentialDialect(deps.dialects, req.params.dialect);
    await inTransaction(app, (unit) => revokeDialectCredential(unit, dialect.name, req.params.id));
    return { merchantId: req.params.id, dialect: dialect.name, revoked: true as const };
  });

  r.post('/admin/v1/webhook-signing-keys/rotate', {
    schema: {
      tags, security, operationId: 'adminRotateWebhookSigningKey', response: { 200: SigningKey },
      summary: 'A new ES256 key for the webhook formats signed with JWTs: in their JWKS at once, signing from `signsFrom` (one JWKS cache lifetime later); the previous one signs until then and stays published for 7 days',
      body: s.EmptyBody.optional(), headers: s.IdempotencyHeaders,
    },
  }, async (req, reply) => respond(app, req, reply, ADMIN, (unit) => rotateSigningKey(unit), (key) => ({ status: 200, body: { kid: key.kid, signsFrom: new Date(key.activatesAt).toISOString() } })));
}
