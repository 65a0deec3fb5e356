// Live updates of the payments list: the signed-in merchant's events (its mode) as server-sent
// events, each naming the request it changed and its status now. The page's script marks the
// rows it shows and offers to reload for new ones. The same stream use case as GET /v1/events/stream.
import type { FastifyInstance } from 'fastify';
import { openEventStream } from '../../app/use-cases/event-stream.js';
import { callerOf } from '../../app/use-cases/sessions.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import type { DashboardDeps } from './deps.js';
import { HIDDEN, stateOf } from './respond.js';

const HEARTBEAT_MS = 15_000;

export function liveRoutes(fastify: FastifyInstance, deps: DashboardDeps, closing: AbortSignal): void {
  fastify.get('/dashboard/payment-requests/changes', HIDDEN, async (request, reply) => {
    const state = stateOf(request);
    const stream = await openEventStream(deps.app, callerOf(state.signedIn.user, state.livemode));
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', ...securityOf(reply.getHeaders()) });
    raw.write(': connected\n\n');
    const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      closing.removeEventListener('abort', end);
      void stream.close();
      raw.end();
    };
    raw.once('close', end);
    closing.addEventListener('abort', end, { once: true });
    stream.start({
      send(events) {
        for (const event of events) {
          const data = event.objectType === 'payment_request' ? (event.data as PaymentRequest) : null;
          raw.write(`id: ${event.id}\nevent: change\ndata: ${JSON.stringify({ id: event.paymentRequestId, type: event.type, status: data?.status ?? null })}\n\n`);
        }
      },
    });
  });
}

/** The headers the scope's hooks set (CSP, no-sniff, …): a hijacked reply does not send them itself. */
function securityOf(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (typeof value === 'string' && name !== 'cache-control') out[name] = value;
  return out;
}
