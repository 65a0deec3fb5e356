// Webhook endpoints, and each event's delivery attempts and redelivery.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inTransaction } from '../../../app/unit-of-work.js';
import * as deliveries from '../../../app/use-cases/deliveries.js';
import * as uc from '../../../app/use-cases/webhook-endpoints.js';
import { respond } from '../../shared/idempotency.js';
import { errors } from '../../shared/openapi.js';
import type { NativeDeps } from '../deps.js';
import { listBody } from '../pagination.js';
import { renderAttempt, renderEndpoint } from '../render.js';
import * as s from '../schemas.js';

const tags = ['Webhooks'];
const notFound = errors('not_found');
/** Endpoints are the merchant's: a terminal key is refused (403 permission_denied). */
const merchantOnly = errors('permission_denied');
const merchantOnlyNotFound = errors('permission_denied', 'not_found');

/** `webhookFormats`: what `format` may be (native and the dialects with a webhook format); native only when not given. */
export function webhookRoutes(fastify: FastifyInstance, deps: NativeDeps & { webhookFormats?: readonly string[] }): void {
  const { app } = deps;
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  // the formats this gateway serves, as an enum: the document then says what the server accepts
  const formats = deps.webhookFormats ?? ['native'];
  const CreateBody = s.CreateEndpointBody.extend({
    format: z.enum(formats as [string, ...string[]]).optional().describe('native (default: Standard Webhooks), or the name of a dialect with a webhook format of its own (see docs/webhooks.md)'),
  });

  r.post('/v1/webhook-endpoints', {
    schema: {
      tags, summary: 'Register an endpoint; the answer carries its signing secret, shown once', operationId: 'createWebhookEndpoint', body: CreateBody, headers: s.IdempotencyHeaders,
      response: { 201: s.WebhookEndpointWithSecret }, 'x-errors': merchantOnly,
    },
  }, async (req, reply) =>
    respond(app, req, reply, req.caller, (unit) => uc.createEndpoint(unit, req.caller, req.body, deps.webhookFormats, deps.secretlessWebhookFormats), ({ endpoint, secret }) => ({ status: 201, body: { ...renderEndpoint(endpoint), ...(secret === null ? {} : { secret }) } }),
      { before: () => uc.assertEndpointCreatable(app, req.caller, req.body) }));

  r.get('/v1/webhook-endpoints', { schema: { tags, summary: "The merchant's endpoints in this mode (one page: hasMore is always false)", operationId: 'listWebhookEndpoints', response: { 200: s.ListOf(s.WebhookEndpointObject) }, 'x-errors': merchantOnly } }, async (req) =>
    listBody((await uc.listEndpoints(app, req.caller)).map(renderEndpoint), false, undefined));

  r.get('/v1/webhook-endpoints/:id', { schema: { tags, summary: 'Read an endpoint', operationId: 'retrieveWebhookEndpoint', params: s.IdParams, response: { 200: s.WebhookEndpointObject }, 'x-errors': merchantOnlyNotFound } }, async (req) =>
    renderEndpoint(await uc.getEndpoint(app, req.caller, req.params.id)));

  r.delete('/v1/webhook-endpoints/:id', { schema: { tags, summary: 'Delete an endpoint; its pending deliveries are cancelled', operationId: 'deleteWebhookEndpoint', params: s.IdParams, response: { 200: s.DeletedWebhookEndpoint }, 'x-errors': merchantOnlyNotFound } }, async (req) =>
    ({ ...renderEndpoint(await inTransaction(app, (unit) => uc.deleteEndpoint(unit, req.caller, req.params.id))), deleted: true as const }));

  r.post('/v1/webhook-endpoints/:id/rotate-secret', {
    schema: {
      tags, summary: 'A new signing secret (shown once); the old one also signs for 24 h', operationId: 'rotateWebhookEndpointSecret', params: s.IdParams, body: s.EmptyBody, headers: s.IdempotencyHeaders,
      response: { 200: s.WebhookEndpointWithSecret }, 'x-errors': errors('permission_denied', 'not_found', 'invalid_state'),
    },
  }, async (req, reply) =>
    respond(app, req, reply, req.caller, (unit) => uc.rotateSecret(unit, req.caller, req.params.id, deps.secretlessWebhookFormats), ({ endpoint, secret }) => ({ status: 200, body: { ...renderEndpoint(endpoint), ...(secret === null ? {} : { secret }) } })));

  r.post('/v1/webhook-endpoints/:id/enable', {
    schema: {
      tags, summary: 'Enable an endpoint that was disabled (e.g. after a 410)', operationId: 'enableWebhookEndpoint', params: s.IdParams, body: s.EmptyBody, headers: s.IdempotencyHeaders,
      response: { 200: s.WebhookEndpointObject }, 'x-errors': merchantOnlyNotFound,
    },
  }, async (req, reply) =>
    respond(app, req, reply, req.caller, (unit) => uc.enableEndpoint(unit, req.caller, req.params.id), (endpoint) => ({ status: 200, body: renderEndpoint(endpoint) })));

  r.get('/v1/events/:id/deliveries', { schema: { tags, summary: 'Every attempt to deliver this event, oldest first (a terminal key: those to its request\'s webhookUrl)', operationId: 'listEventDeliveries', params: s.IdParams, response: { 200: s.DeliveryAttempts }, 'x-errors': notFound } }, async (req) =>
    ({ data: (await deliveries.listEventAttempts(app, req.caller, req.params.id)).map(renderAttempt) }));

  r.post('/v1/events/:id/redeliver', {
    schema: {
      tags, summary: 'Send the event again to every target that should have it', operationId: 'redeliverEvent', params: s.IdParams, body: s.EmptyBody, headers: s.IdempotencyHeaders,
      response: { 202: s.QueuedDeliveries }, 'x-errors': merchantOnlyNotFound,
    },
  }, async (req, reply) =>
    respond(app, req, reply, req.caller, (unit) => deliveries.redeliver(unit, req.caller, req.params.id), (queued) => ({
      status: 202,
      body: { object: 'list', data: queued.map((d) => ({ id: d.id, object: 'delivery', eventId: d.eventId, endpointId: d.endpointId, url: d.url, status: d.status })) },
    })));
}

