// Live updates of the payments list: the signed-in merchant's events (its mode) as server-sent
// events, each naming the request it changed and its status now. The page's script marks the
// rows it shows and offers to reload for new ones. The same stream use case as GET /v1/events/stream.
import type { FastifyInstance } from 'fastify';
import { openEventStream } from '../../app/use-cases/event-stream.js';
import { callerOf, resumeSession } from '../../app/use-cases/sessions.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import type { DashboardDeps } from './deps.js';
import { HIDDEN, stateOf } from './respond.js';
import { cookiesOf, SESSION_COOKIE } from './session.js';

const HEARTBEAT_MS = 15_000;

export function liveRoutes(fastify: FastifyInstance, deps: DashboardDeps, closing: AbortSignal): void {
  fastify.get('/dashboard/payment-requests/changes', HIDDEN, async (request, reply) => {
    const state = stateOf(request);
    const stream = await openEventStream(deps.app, callerOf(state.signedIn.user, state.livemode));
    // The session is checked as the stream runs, not only as it opens: before each batch of events
    // and at each heartbeat. Signed out, its user disabled, or idle past the limit (the stream is no
    // use of the session: it checks without touching it), and the stream ends, sending nothing more.
    const token = cookiesOf(request)[SESSION_COOKIE];
    const stillSignedIn = async () => {
      try {
        return (await resumeSession(deps.app, token, { touch: false })) !== null;
      } catch {
        return false; // not known to be open (the database away): end; the browser reconnects through the sign-in check
      }
    };
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', ...securityOf(reply.getHeaders()) });
    raw.write(': connected\n\n');
    const heartbeat = setInterval(() => {
      void stillSignedIn().then((open) => {
        if (!open) end();
        else if (!ended) raw.write(': heartbeat\n\n');
      });
    }, deps.liveHeartbeatMs ?? HEARTBEAT_MS);
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
      async send(events) {
        if (!(await stillSignedIn())) return end();
        if (ended) return;
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
