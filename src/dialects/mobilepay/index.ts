// The MobilePay PoS dialect (Integra's wrapper), mounted at /mobilepay/api/pos. Translation only:
// every rule it answers by lives in core/ and app/ (docs/dialects/mobilepay.md).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { intFrom } from '../../config/config.js';
import type { Dialect } from '../dialect.js';
import { unmatchedRoute } from '../shared/unmatched.js';
import { formFields } from '../shared/form.js';
import { issueMobilePayCredentials } from './credentials.js';
import type { MobilePayDeps } from './deps.js';
import { MOBILEPAY_OPENAPI } from './openapi.js';
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
    m.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, formFields(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
    m.setErrorHandler((error, request, reply) => sendRefusal(request, reply, error));
    // a known operation asked with a method it does not answer (HEAD included: the wrapper changes
    // state with GET, so its routes expose no HEAD): 405 naming the ones it does (RFC 9110)
    m.setNotFoundHandler((request, reply) => sendRefusal(request, reply, unmatchedRoute(m, request, reply, `No operation ${request.method} ${request.url.split('?')[0]}.`)));
    paymentRoutes(m, deps);
    refundRoutes(m, deps);
    managementRoutes(m, deps);
  }, { prefix: MOBILEPAY_PREFIX });
}

const Settings = z.object({
  MOBILEPAY_PAYMENT_TIMEOUT_SECONDS: intFrom(120, 10).describe('MobilePay: a payment not Reserved this long after it started is `CancelledByMobilePay`'),
});

export const mobilepay: Dialect<z.infer<typeof Settings>> = {
  name: 'mobilepay',
  prefix: MOBILEPAY_PREFIX,
  settings: Settings,
  mount: (fastify, context) => mobilePayApi(fastify, {
    app: context.app, get publicUrl() { return context.publicUrl; }, paymentTimeoutSeconds: context.settings.MOBILEPAY_PAYMENT_TIMEOUT_SECONDS,
  }),
  credentials: {
    options: z.strictObject({ issueToken: z.boolean().optional().describe('false makes the set without a token (the POS fetches it with manage/token)') }),
    issue: (unit, merchantId, options) => issueMobilePayCredentials(unit, merchantId, { issueToken: options.issueToken as boolean | undefined }),
  },
  // the wrapper sends its token in the URL, and the bioCode beside it: for a set issued without a
  // token, the bioCode alone fetches the token (manage/token), so it is as secret as the token
  secretParameters: ['accessToken', 'previousAccessToken', 'bioCode'],
  openapi: MOBILEPAY_OPENAPI,
};

export type { MobilePayCredentials } from './credentials.js';
export type { MobilePayDeps };
