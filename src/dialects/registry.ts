// The provider dialects posgate mounts, and how each makes a merchant's credential set. Adding a
// dialect is a folder beside mobilepay/ and one entry here.
import type { FastifyInstance } from 'fastify';
import type { App } from '../app/context.js';
import type { RenderDelivery } from '../app/use-cases/deliveries.js';
import type { Work } from '../app/unit-of-work.js';
import type { Config } from '../config/config.js';
import { centrapayApi, issueCentrapayCredentials } from './centrapay/index.js';
import { centrapayWebhookFormat } from './centrapay/webhooks.js';
import { issueMobilePayCredentials, mobilePayApi } from './mobilepay/index.js';

export interface DialectDeps {
  app: App;
  readonly publicUrl: string;
  config: Pick<Config, 'mobilepayPaymentTimeoutSeconds' | 'centrapayPreAuthTtlMs' | 'centrapayRateLimitPerMinute' | 'centrapayRateLimitInTest'>;
}

/** Options of the admin API's credential call (`POST /admin/v1/merchants/{id}/credentials/{dialect}`). */
export interface IssueOptions {
  issueToken?: boolean;
}

export interface Dialect {
  mount(fastify: FastifyInstance, deps: DialectDeps): Promise<void>;
  issueCredentials(unit: Work, merchantId: string, options?: IssueOptions): Promise<unknown>;
  /**
   * The dialect's webhook format, when it has one: what a native endpoint made with
   * `format: "<dialect>"` (and a request's own webhookUrl from this dialect) is sent.
   */
  webhook?: (deps: DialectDeps) => RenderDelivery;
}

export const DIALECTS: Readonly<Record<string, Dialect>> = {
  mobilepay: {
    mount: (fastify, deps) => mobilePayApi(fastify, { app: deps.app, get publicUrl() { return deps.publicUrl; }, paymentTimeoutSeconds: deps.config.mobilepayPaymentTimeoutSeconds }),
    issueCredentials: (unit, merchantId, options) => issueMobilePayCredentials(unit, merchantId, { issueToken: options?.issueToken }),
  },
  centrapay: {
    mount: (fastify, deps) => centrapayApi(fastify, {
      app: deps.app, get publicUrl() { return deps.publicUrl; }, preAuthTtlMs: deps.config.centrapayPreAuthTtlMs,
      rateLimitPerMinute: deps.config.centrapayRateLimitPerMinute, rateLimitInTest: deps.config.centrapayRateLimitInTest,
    }),
    issueCredentials: (unit, merchantId) => issueCentrapayCredentials(unit, merchantId),
    webhook: (deps) => centrapayWebhookFormat(deps.app),
  },
};

/** The formats a webhook endpoint may take: native, and every dialect with a webhook format. */
export const WEBHOOK_FORMATS: readonly string[] = ['native', ...Object.entries(DIALECTS).filter(([, dialect]) => dialect.webhook).map(([name]) => name)];

/** Each dialect's set maker, for the demo merchant (`posgate credentials --json`). */
export const CREDENTIAL_ISSUERS = Object.fromEntries(Object.entries(DIALECTS).map(([name, dialect]) => [name, (unit: Work, merchantId: string) => dialect.issueCredentials(unit, merchantId)]));
