// The MobilePay PoS dialect (Integra's wrapper), mounted at /mobilepay/api/pos. Translation only:
// every rule it answers by lives in core/ and app/ (docs/dialects/mobilepay.md).
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../core/errors.js';
import type { MobilePayDeps } from './deps.js';
import { managementRoutes } from './routes/management.js';
import { paymentRoutes } from './routes/payments.js';
import { refundRoutes } from './routes/refunds.js';
import { sendRefusal } from './transport.js';
import { parseXmlBody } from './xml.js';

export const MOBILEPAY_PREFIX = '/mobilepay/api/pos';

export async function mobilePayApi(fastify: FastifyInstance, deps: MobilePayDeps): Promise<void> {
  await fastify.register(async (m) => {
    // the wrapper's POST variants take JSON, XML or form bodies with the parameters' names
    m.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, parseXmlBody(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
    m.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(body as string))));
    m.setErrorHandler((error, request, reply) => sendRefusal(request, reply, error));
    m.setNotFoundHandler((request, reply) =>
      sendRefusal(request, reply, new DomainError('route_not_found', `No operation ${request.method} ${request.url.split('?')[0]}.`)));
    paymentRoutes(m, deps);
    refundRoutes(m, deps);
    managementRoutes(m, deps);
  }, { prefix: MOBILEPAY_PREFIX });
}

export { issueMobilePayCredentials, type MobilePayCredentials } from './credentials.js';
export type { MobilePayDeps };
