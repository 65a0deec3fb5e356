import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { inTransaction } from '../../../app/unit-of-work.js';
import * as uc from '../../../app/use-cases/merchants.js';
import { respond } from '../../shared/idempotency.js';
import { errors } from '../../shared/openapi.js';
import type { NativeDeps } from '../deps.js';
import { listBody } from '../pagination.js';
import { renderIssuedKey, renderTerminal } from '../render.js';
import * as s from '../schemas.js';

const tags = ['Terminals'];

export function terminalRoutes(fastify: FastifyInstance, deps: NativeDeps): void {
  const { app } = deps;
  const r = fastify.withTypeProvider<ZodTypeProvider>();

  r.get('/v1/terminals', { schema: { tags, summary: "The merchant's terminals (a terminal key sees its own)", operationId: 'listTerminals', querystring: s.PageQuery, response: { 200: s.ListOf(s.TerminalObject) } } }, async (req) => {
    const page = await uc.listTerminals(app, req.caller, { limit: req.query.limit, afterId: req.query.cursor });
    return listBody(page.items.map((t) => renderTerminal(t, deps.publicUrl)), page.hasMore, page.items.at(-1)?.id);
  });

  r.post('/v1/terminals', {
    schema: {
      tags, summary: 'Create a terminal (merchant secret key)', operationId: 'createTerminal', body: s.CreateTerminalBody, headers: s.IdempotencyHeaders,
      response: { 201: s.TerminalObject }, 'x-errors': errors('permission_denied', 'not_found', 'terminal_name_taken'),
    },
  }, async (req, reply) =>
    respond(app, req, reply, req.caller, (unit) => uc.createOwnTerminal(unit, req.caller, req.body), (t) => ({ status: 201, body: renderTerminal(t, deps.publicUrl) })));

  r.get('/v1/terminals/:id', { schema: { tags, summary: 'Read a terminal', operationId: 'retrieveTerminal', params: s.IdParams, response: { 200: s.TerminalObject }, 'x-errors': errors('not_found') } }, async (req) => renderTerminal(await uc.getTerminal(app, req.caller, req.params.id), deps.publicUrl));

  r.post('/v1/terminals/:id/keys', {
    schema: {
      tags, summary: 'A new terminal key (shown once); older keys stay valid until revoked', operationId: 'createTerminalKey', params: s.IdParams, body: s.EmptyBody, headers: s.IdempotencyHeaders,
      response: { 201: s.ApiKeyObject }, 'x-errors': errors('permission_denied', 'not_found'),
    },
  }, async (req, reply) =>
    respond(app, req, reply, req.caller, (unit) => uc.createTerminalKey(unit, req.caller, req.params.id), (issued) => ({ status: 201, body: renderIssuedKey(issued) })));

  r.delete('/v1/terminals/:id/keys/:keyId', { schema: { tags, summary: 'Revoke a terminal key', operationId: 'revokeTerminalKey', params: s.KeyParams, response: { 200: s.ApiKeyObject }, 'x-errors': errors('permission_denied', 'not_found') } }, async (req) => {
    const key = await inTransaction(app, (unit) => uc.revokeTerminalKey(unit, req.caller, req.params.id, req.params.keyId));
    return renderIssuedKey({ key, secret: '' });
  });
}
