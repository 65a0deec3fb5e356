// Creating and reading payment requests: by id, short code and external ref.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Caller } from '../../../app/context.js';
import { getTerminal } from '../../../app/use-cases/merchants.js';
import { findDialectCredentialOfMerchant } from '../../../app/use-cases/dialect-credentials.js';
import { createPaymentRequest, findByShortCode, getPaymentRequest, listCurrentPaymentRequests } from '../../../app/use-cases/payment-requests.js';
import { terminalByName } from '../../../app/use-cases/points-of-sale.js';
import { inTransaction } from '../../../app/unit-of-work.js';
import { DomainError } from '../../../core/errors.js';
import { parseShortCode } from '../../../core/short-code.js';
import { fingerprint } from '../../shared/idempotency.js';
import { CENTRAPAY_CONFIG } from '../credentials.js';
import { CentrapayRefusal, type CentrapayDeps } from '../deps.js';
import { documented } from '../openapi.js';
import { SHORT_CODE_PREFIX, statusOf, summaryOf, type CentrapayStatus } from '../render.js';
import * as s from '../schemas.js';
import { saveFields } from '../fields.js';
import { renderRequest } from '../views.js';

const EXTERNAL_REF_PAGE = 25;
/** A summary is Centrapay's "while the status is new": once it is not, the code Centrapay refuses an action on a request in that status with. */
const SUMMARY_REFUSALS: Record<Exclude<CentrapayStatus, 'new'>, string> = { paid: 'REQUEST_PAID', cancelled: 'REQUEST_CANCELLED', expired: 'REQUEST_EXPIRED' };
/** The currencies Centrapay has (test) assets in: any other has no payment option. */
export const CENTRAPAY_CURRENCIES: readonly string[] = ['NZD', 'AUD', 'USD'];

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

async function requireConfig(deps: CentrapayDeps, caller: Caller, configId: string): Promise<void> {
  const config = await findDialectCredentialOfMerchant(deps.app, caller.merchantId, CENTRAPAY_CONFIG.dialect);
  if (!config || config.lookup !== configId) throw new CentrapayRefusal(403, 'MERCHANT_CONFIG_NOT_FOUND', `configId ${configId} is not this merchant's.`);
}

/** The terminal by the merchant's own id; a terminal key may leave it out (its own terminal). */
async function terminalOf(deps: CentrapayDeps, caller: Caller, name: string | undefined) {
  if (name !== undefined) return terminalByName(deps.app.db.read, caller, name);
  if (caller.terminalId) return getTerminal(deps.app, caller, caller.terminalId);
  throw new DomainError('parameter_missing', 'terminalId is required with a merchant secret key.', 'terminalId');
}

/** `CP-ABC-DEF-GHJ`, `cpabcdefghj`, `ABC-DEF-GHJ`: the short code without Centrapay's prefix. */
function withoutPrefix(shortCode: string): string {
  const compact = shortCode.toUpperCase().replace(/[\s-]/g, '');
  const prefix = SHORT_CODE_PREFIX.replace('-', '');
  const rest = compact.slice(prefix.length);
  // strip the prefix only where what is left is a valid code: a code of our own may start with CP
  return compact.startsWith(prefix) && parseShortCode(compact) === null && parseShortCode(rest) !== null ? rest : compact;
}

export function requestRoutes(fastify: FastifyInstance, deps: CentrapayDeps): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const { app } = deps;

  r.post('/payment-requests', { ...documented('request', 'createPaymentRequest', 'Create a payment request for the merchant\'s terminal', { body: s.CreateBody }), config: { operation: 'create' } }, async (req) => {
    const body = req.body;
    await requireConfig(deps, req.caller, body.configId);
    if (!CENTRAPAY_CURRENCIES.includes(body.value.currency))
      throw new CentrapayRefusal(403, 'NO_AVAILABLE_PAYMENT_OPTIONS', `No asset pays ${body.value.currency}; Centrapay assets are in ${CENTRAPAY_CURRENCIES.join(', ')}.`);
    if (body.redirectUrl !== undefined && !isHttpUrl(body.redirectUrl))
      throw new CentrapayRefusal(403, 'REDIRECT_URL_INVALID', 'redirectUrl must be an absolute http(s) URL.');
    const terminal = await terminalOf(deps, req.caller, body.terminalId);
    const amount = s.centsOf(body.value.amount);
    const fields = {
      configId: body.configId, invoiceRef: body.invoiceRef, purchaseOrderRef: body.purchaseOrderRef, terminalId: terminal.name,
      deviceId: body.deviceId, operatorId: body.operatorId, barcode: body.barcode, lineItems: body.lineItems ?? [], preAuth: body.preAuth ?? false,
      expirySeconds: body.expirySeconds ?? 120,
    };
    const { request } = await inTransaction(app, async (unit) => {
      const created = await createPaymentRequest(unit, req.caller, {
        amount, currency: body.value.currency, terminalId: terminal.id, captureMode: body.preAuth ? 'manual' : 'automatic',
        expiresInSeconds: body.expirySeconds ?? 120, lineItems: s.toCoreLineItems(body.lineItems), partialAllowed: body.partialAllowed,
        basketAmount: body.basketAmount === undefined ? undefined : s.centsOf(body.basketAmount), patronCode: body.barcode, patronNotPresent: body.patronNotPresent,
        redirectUrl: body.redirectUrl, allowConcurrent: true, externalRef: body.externalRef, conditionsEnabled: body.conditionsEnabled ?? false,
        authorizationTtlMs: body.preAuth ? deps.preAuthTtlMs : undefined,
      }, fingerprint(body));
      // Centrapay's own fields, in its own record, with the request they belong to
      if (!created.replayedByReference) await saveFields(unit.tx, created.request.id, fields, created.request.createdAt);
      return created;
    });
    return renderRequest(deps, request);
  });

  r.get('/payment-requests/:id', { ...documented('request', 'getPaymentRequest', 'Read a payment request by its id (poll it until paid, cancelled or expired)', { params: s.IdParams }), config: { operation: 'read' } }, async (req) =>
    renderRequest(deps, await getPaymentRequest(app, req.caller, req.params.id)));

  // the status as GET shows it (an overdue request is expired by this read, as by GET)
  r.get('/payment-requests/:id/summary', { ...documented('summary', 'getPaymentRequestSummary', 'A summary of a payment request while its status is new (a paid, cancelled or expired one is refused REQUEST_PAID, REQUEST_CANCELLED or REQUEST_EXPIRED)', { params: s.IdParams }), config: { operation: 'read' } }, async (req) => {
    const request = await getPaymentRequest(app, req.caller, req.params.id);
    const status = statusOf(request);
    if (status !== 'new') throw new CentrapayRefusal(403, SUMMARY_REFUSALS[status], `Payment request ${request.id} is ${status}: a summary is only for a new request.`);
    return summaryOf(await renderRequest(deps, request));
  });

  r.get('/payment-requests/short-code/:shortCode', { ...documented('request', 'getPaymentRequestByShortCode', 'The latest payment request with this short code (with or without CP-, in any case, with or without dashes)', { params: s.ShortCodeParams }), config: { operation: 'read' } }, async (req) => {
    return renderRequest(deps, await findByShortCode(app, req.caller, withoutPrefix(req.params.shortCode)));
  });

  r.get('/payment-requests/external-ref/:externalRef', { ...documented('requestPage', 'listPaymentRequestsByExternalRef', 'The payment requests with this externalRef, newest first', { params: s.ExternalRefParams, querystring: s.RefPageQuery }), config: { operation: 'read' } }, async (req) => {
    // as of now, like a read by id: an overdue request shows as expired
    const found = await listCurrentPaymentRequests(app, req.caller, { externalRef: req.params.externalRef }, { limit: EXTERNAL_REF_PAGE, beforeId: req.query.pageKey });
    const items = await Promise.all(found.items.map((request) => renderRequest(deps, request)));
    return { items, ...(found.hasMore ? { nextPageKey: found.items.at(-1)?.id } : {}) };
  });
}
