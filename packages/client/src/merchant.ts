// webhookEndpoints, terminals and reports: the calls a merchant's back office makes (secret keys;
// a terminal key reads its own terminal only).
import { paginate } from './payment-requests.js';
import type { RequestOptions, Transport } from './transport.js';
import type {
  ApiKey, CreateTerminalParams, CreateWebhookEndpointParams, DeletedWebhookEndpoint, ListTerminalsParams, Page,
  SettlementReport, SettlementReportParams, Terminal, WebhookEndpoint, WebhookEndpointWithSecret,
} from './types.js';

const id = (value: string) => encodeURIComponent(value);

export class WebhookEndpoints {
  constructor(private readonly transport: Transport) {}

  /** Registers an endpoint; its `secret` (whsec_…) is in this answer only: keep it to verify deliveries. */
  create(params: CreateWebhookEndpointParams, options?: RequestOptions): Promise<WebhookEndpointWithSecret> {
    return this.transport.request({ method: 'POST', path: '/v1/webhook-endpoints', body: params }, options);
  }

  /** The merchant's endpoints in the key's mode. */
  async list(options?: RequestOptions): Promise<WebhookEndpoint[]> {
    return (await this.transport.request<Page<WebhookEndpoint>>({ method: 'GET', path: '/v1/webhook-endpoints' }, options)).data;
  }

  retrieve(endpointId: string, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this.transport.request({ method: 'GET', path: `/v1/webhook-endpoints/${id(endpointId)}` }, options);
  }

  /** Deletes it; its deliveries not yet made are cancelled. */
  delete(endpointId: string, options?: RequestOptions): Promise<DeletedWebhookEndpoint> {
    return this.transport.request({ method: 'DELETE', path: `/v1/webhook-endpoints/${id(endpointId)}` }, options);
  }

  /** A new secret, in this answer only; deliveries carry both signatures for a while (see the webhooks docs). */
  rotateSecret(endpointId: string, options?: RequestOptions): Promise<WebhookEndpointWithSecret> {
    return this.transport.request({ method: 'POST', path: `/v1/webhook-endpoints/${id(endpointId)}/rotate-secret`, body: {} }, options);
  }

  /** Turns a disabled endpoint (a 410 from its receiver, or too many failures) back on. */
  enable(endpointId: string, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this.transport.request({ method: 'POST', path: `/v1/webhook-endpoints/${id(endpointId)}/enable`, body: {} }, options);
  }
}

export class Terminals {
  constructor(private readonly transport: Transport) {}

  create(params: CreateTerminalParams, options?: RequestOptions): Promise<Terminal> {
    return this.transport.request({ method: 'POST', path: '/v1/terminals', body: params }, options);
  }

  retrieve(terminalId: string, options?: RequestOptions): Promise<Terminal> {
    return this.transport.request({ method: 'GET', path: `/v1/terminals/${id(terminalId)}` }, options);
  }

  /** Every terminal, every page: `for await (const terminal of posgate.terminals.list())`. */
  list(params: ListTerminalsParams = {}, options?: RequestOptions): AsyncGenerator<Terminal> {
    return paginate((cursor) => this.transport.request<Page<Terminal>>({ method: 'GET', path: '/v1/terminals', query: { ...params, cursor } }, options));
  }

  /** A key for this terminal alone, in the caller's mode; its `secret` is in this answer only. */
  createKey(terminalId: string, options?: RequestOptions): Promise<ApiKey> {
    return this.transport.request({ method: 'POST', path: `/v1/terminals/${id(terminalId)}/keys`, body: {} }, options);
  }

  revokeKey(terminalId: string, keyId: string, options?: RequestOptions): Promise<ApiKey> {
    return this.transport.request({ method: 'DELETE', path: `/v1/terminals/${id(terminalId)}/keys/${id(keyId)}` }, options);
  }
}

export class Reports {
  constructor(private readonly transport: Transport) {}

  /** The settlement report of the days from `from` up to `to` (exclusive), in the merchant's time zone (docs/reconciliation.md). */
  settlement(params: SettlementReportParams, options?: RequestOptions): Promise<SettlementReport> {
    return this.transport.request({ method: 'GET', path: '/v1/reports/settlement', query: params }, options);
  }
}
