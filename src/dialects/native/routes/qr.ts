// QR codes a POS shows: a request's payUrl, and a terminal's static check-in link.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { Caller } from '../../../app/context.js';
import { getPaymentRequest } from '../../../app/use-cases/payment-requests.js';
import { getTerminal } from '../../../app/use-cases/merchants.js';
import { errors } from '../../shared/openapi.js';
import type { NativeDeps } from '../deps.js';
import { checkInUrlOf, payUrlOf } from '../../shared/links.js';
import * as s from '../schemas.js';

/** Medium error correction survives a scuffed counter display; a quiet zone of 2 modules is enough on screens. */
const QR_OPTIONS = { errorCorrectionLevel: 'M' as const, margin: 2 };

async function sendSvg(reply: FastifyReply, text: string) {
  return reply.type('image/svg+xml').header('cache-control', 'no-store').send(await QRCode.toString(text, { ...QR_OPTIONS, type: 'svg' }));
}

export function qrRoutes(fastify: FastifyInstance, deps: NativeDeps): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['QR codes'];
  const notFound = errors('not_found');
  const svg = { 200: { description: 'An SVG image', content: { 'image/svg+xml': { schema: z.string() } } } };
  const png = { 200: { description: 'A PNG image', content: { 'image/png': { schema: z.string().meta({ format: 'binary' }) } } } };
  // loading the request (or terminal) first keeps another tenant's id a 404
  const payUrl = async (caller: Caller, id: string) => payUrlOf(deps.publicUrl, (await getPaymentRequest(deps.app, caller, id)).id);
  const checkInUrl = async (caller: Caller, id: string) => checkInUrlOf(deps.publicUrl, (await getTerminal(deps.app, caller, id)).id);

  r.get('/v1/payment-requests/:id/qr.svg', { schema: { tags, summary: "The QR code of the request's payUrl (SVG)", operationId: 'retrievePaymentRequestQrSvg', params: s.IdParams, response: svg, 'x-errors': notFound } }, async (req, reply) =>
    sendSvg(reply, await payUrl(req.caller, req.params.id)));

  r.get('/v1/payment-requests/:id/qr.png', { schema: { tags, summary: "The QR code of the request's payUrl (PNG)", operationId: 'retrievePaymentRequestQrPng', params: s.IdParams, response: png, 'x-errors': notFound } }, async (req, reply) => {
    const png = await QRCode.toBuffer(await payUrl(req.caller, req.params.id), { ...QR_OPTIONS, type: 'png', scale: 8 });
    // a Buffer is sent as it is (no serializer runs); the schema says what it is to the document: binary text
    return reply.type('image/png').header('cache-control', 'no-store').send(png as unknown as string);
  });

  r.get('/v1/terminals/:id/qr.svg', { schema: { tags, summary: "The terminal's static check-in QR code (SVG)", operationId: 'retrieveTerminalQrSvg', params: s.IdParams, response: svg, 'x-errors': notFound } }, async (req, reply) =>
    sendSvg(reply, await checkInUrl(req.caller, req.params.id)));
}
