import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { inTransaction } from '../../../app/unit-of-work.js';
import * as uc from '../../../app/use-cases/merchants.js';
import { respond } from '../../shared/idempotency.js';
import type { NativeDeps } from '../deps.js';
import { decodeCursor, listBody } from '../pagination.js';
import { renderIssuedKey, renderTerminal } from '../render.js';
import * as s from '../schemas.js';

const tags = ['Terminals'];

export function terminalRoutes(fastify: FastifyInstance, deps: NativeDeps): void {
  const { app } = deps;
  const r = fastify.withTypeProvider<ZodTypeProvider>();

  r.get('/v1/terminals', { schema: { tags, summary: "The merchant's terminals (a terminal key sees its own)", querystring: s.PageQuery } }, async (req) => {
    const page = await uc.listTerminals(app, req.caller, { limit: req.query.limit, afterId: decodeCursor(req.query.cursor) });
    return listBody(page.items.map((t) => renderTerminal(t, deps.publicUrl)), page.hasMore, page.items.at(-1)?.id);
  });

  r.post('/v1/terminals', { schema: { tags, summary: 'Create a terminal (merchant secret key)', body: s.CreateTerminalBody, headers: s.IdempotencyHeaders } }, async (req, reply) =>
    respond(app, req, reply, req.caller, (unit) => uc.createOwnTerminal(unit, req.caller, req.body), (t) => ({ status: 201, body: renderTerminal(t, deps.publicUrl) })));

  r.get('/v1/terminals/:id', { schema: { tags, summary: 'Read a terminal', params: s.IdParams } }, async (req) => renderTerminal(await uc.getTerminal(app, req.caller, req.params.id), deps.publicUrl));

  r.post('/v1/terminals/:id/keys', { schema: { tags, summary: 'A new terminal key (shown once); older keys stay valid until revoked', params: s.IdParams, body: s.EmptyBody, headers: s.IdempotencyHeaders } }, async (req, reply) =>
    respond(app, req, reply, req.caller, (unit) => uc.createTerminalKey(unit, req.caller, req.params.id), (issued) => ({ status: 201, body: renderIssuedKey(issued) })));

  r.delete('/v1/terminals/:id/keys/:keyId', { schema: { tags, summary: 'Revoke a terminal key', params: s.KeyParams } }, async (req) => {
    const key = await inTransaction(app, (unit) => uc.revokeTerminalKey(unit, req.caller, req.params.id, req.params.keyId));
    return renderIssuedKey({ key, secret: '' });
  });
}
