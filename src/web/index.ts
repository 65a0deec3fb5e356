// The patron-facing web surface: pay page, customer display, sandbox patron page, check-in, and
// the CSS/JS they load. Plain HTML and a little vanilla JS, all served by posgate (no CDN).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { App } from '../app/context.js';
import { DomainError } from '../core/errors.js';
import { assetAt } from './assets/index.js';
import { displayRoutes } from './display.js';
import { refuseAsPage, securityHeaders } from './http.js';
import { patronRoutes } from './patron.js';
import { payRoutes } from './pay.js';

export interface WebDeps {
  app: App;
  /** Base URL patrons reach: the display's QR codes encode links under it (read per request). */
  readonly publicUrl: string;
}

function assetRoutes(fastify: FastifyInstance): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  r.get('/assets/:file', { schema: { hide: true, params: z.strictObject({ file: z.string().min(1).max(100) }) } }, async (req, reply) => {
    const asset = assetAt(`/assets/${req.params.file}`);
    if (!asset) throw new DomainError('not_found', `No asset ${req.params.file}.`);
    // the name carries the content hash: a changed file is a new URL, so this one never changes
    reply.header('cache-control', 'public, max-age=31536000, immutable').header('etag', asset.etag);
    if (req.headers['if-none-match'] === asset.etag) return reply.status(304).send();
    return reply.type(asset.contentType).send(asset.body);
  });
}

export async function webPages(fastify: FastifyInstance, deps: WebDeps): Promise<void> {
  // the display's ?token= is redacted from logged URLs by the logger's request serializer
  await fastify.register(async (web) => {
    // long-polls stop waiting when the server shuts down
    const closing = new AbortController();
    web.addHook('preClose', async () => closing.abort());
    web.addHook('onRequest', async (_request, reply) => securityHeaders(reply));
    web.setErrorHandler(refuseAsPage);
    assetRoutes(web);
    payRoutes(web, deps.app, closing.signal);
    displayRoutes(web, deps, closing.signal);
    patronRoutes(web, deps, closing.signal);
  });
}
