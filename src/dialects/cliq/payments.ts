// validate, payment-pos/post, payment-pos/getupdate and payment/get.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App, Caller } from '../../app/context.js';
import { merchantNow } from '../../app/time.js';
import { assertCreatable, createPaymentRequest, loadCurrent } from '../../app/use-cases/payment-requests.js';
import { listRefunds } from '../../app/use-cases/refunds.js';
import { inTransaction, type Work } from '../../app/unit-of-work.js';
import { DomainError } from '../../core/errors.js';
import { CURRENCY_EXPONENTS } from '../../core/money.js';
import * as pr from '../../core/payment-request.js';
import type { PaymentRequest } from '../../core/payment-request.js';
import { fingerprint } from '../shared/idempotency.js';
import { authOf, checkHash } from './auth.js';
import { paymentOf, refundsOf, savePayment, type CliqPayment } from './fields.js';
import { findPayment, type Found } from './lookup.js';
import { Created, decimalAmount, documented, Got, hashOf, Key, oneReferenceBody, Updated, Validated } from './openapi.js';
import { amountOf, cartItems, hashText, oneReference, onlyKnown, optionalUrl, PERSONAL, personalFields, REQUESTED_ASSETS, requiredText, settlementAsset, type Params } from './params.js';
import { route } from './transport.js';
import { createdAnswer, paymentView, updateAnswer } from './render.js';
import { newQuote, quoteOutdated } from './quote.js';
import { renewQuote } from './quote-renewal.js';

/** A CLIQ payment stays open this long (its quotes expire far sooner and are renewed: quote-renewal.ts). */
export const PAYMENT_TTL_SECONDS = 24 * 3600;
export const REFERENCE = /^[A-Za-z0-9._:#/-]{1,64}$/;
const CREATE_FIELDS = ['key', 'hash', 'asset', 'requested_asset', 'amount', 'description', 'reference', 'cart_items', 'postback_url', 'pos_price_update_postback_url'];

// The bodies as the calls check them, for the document (openapi.ts: the calls check the fields themselves)
const ValidateBody = z.strictObject({ key: Key, hash: hashOf('api_secret alone') });
const postbackUrl = (description: string) => z.url({ protocol: /^https?$/ }).max(2048).meta({ pattern: '^[Hh][Tt][Tt][Pp][Ss]?://' }).optional().describe(description);
const CreateBody = z.strictObject({
  asset: z.enum(Object.keys(CURRENCY_EXPONENTS).filter((code) => !REQUESTED_ASSETS.includes(code)).sort()).describe('The settlement asset, what the merchant is paid in (refused when the channel has no BTC rate for it)'),
  requested_asset: z.enum(['BTC']).describe('What the customer pays in'),
  amount: decimalAmount("The amount in the settlement asset's major units (\"20.50\"), with at most its decimals; kept as sent, for the later calls' hashes"),
  description: z.string().min(1).max(255),
  reference: z.string().regex(REFERENCE).describe("1 to 64 letters, digits or . _ : # / -, unique per merchant: the same reference with the same fields answers the same payment"),
  cart_items: z.union([z.string().max(4000), z.array(z.unknown()).max(100)]).optional().describe('Text such as "name,desc,qty,unit_price", or a JSON list of at most 100 items (8000 characters as JSON); kept as sent'),
  postback_url: postbackUrl("Where the payment's postbacks are sent"),
  pos_price_update_postback_url: postbackUrl('Where a renewed quote is sent'),
  key: Key,
  hash: hashOf('key + asset + amount + api_secret'),
}).catchall(z.string().max(256).describe("personal_*: the customer's details (personal_name, personal_email, …), kept")).superRefine((body, context) => {
  for (const name of Object.keys(body)) if (!CREATE_FIELDS.includes(name) && !PERSONAL.test(name)) context.addIssue({ code: 'custom', message: `Unknown field ${name}`, path: [name] });
}).meta({ propertyNames: { anyOf: [{ enum: CREATE_FIELDS }, { pattern: PERSONAL.source }] } });
const ByReference = oneReferenceBody('key + reference + amount + api_secret or key + payment_code + amount + api_secret, whichever was sent (amount: the payment\'s, exactly as sent at creation)');

/** The first quote; a settlement asset the channel has no BTC rate for is CLIQ's "asset not allowed" (and nothing is made). */
async function quoteFor(unit: Work, request: PaymentRequest, now: number) {
  try {
    return await newQuote(unit, request, now);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'method_not_allowed')
      throw new DomainError('currency_invalid', `The asset not allow for POS create payment: there is no BTC rate for ${request.currency}.`, 'asset');
    throw error;
  }
}

/** Looks the payment up by the one reference sent, then checks the hash over it and the amount as created. */
async function authorizedPayment(app: App, params: Params): Promise<Found & { caller: Caller }> {
  onlyKnown(params, ['reference', 'payment_code', 'key', 'hash']);
  const by = oneReference(params);
  const auth = await authOf(app, params);
  const found = await findPayment(app, auth.caller, by);
  checkHash(auth, [{ parts: [auth.key, by.value, found.payment.amount], names: `key+${by.name}+amount` }]);
  return { ...found, caller: auth.caller };
}

export function paymentRoutes(c: FastifyInstance, app: App): void {
  route(c, 'validate', '/api/validate', documented('validateCredentials', 'Check a key and its hash', ValidateBody, Validated), async (params) => {
    onlyKnown(params, ['key', 'hash']);
    const auth = await authOf(app, params);
    checkHash(auth, [{ parts: [], names: '' }]);
    return { status: 'ok', message: 'Credentials are valid' };
  });

  route(c, 'create', '/api/payment-pos/post', documented('createPosPayment', 'Create a point-of-sale payment: a BTC quote (address and Lightning invoice) of an amount in a settlement asset', CreateBody, Created), async (params) => {
    onlyKnown(params, CREATE_FIELDS, PERSONAL);
    const auth = await authOf(app, params);
    checkHash(auth, [{ parts: [auth.key, hashText(params, 'asset'), hashText(params, 'amount')], names: 'key+asset+amount' }]);
    const asset = settlementAsset(params);
    const requestedAsset = requiredText(params, 'requested_asset', 8);
    if (requestedAsset !== 'BTC') throw new DomainError('currency_invalid', `The asset not allow for POS create payment: requested_asset must be BTC (got ${requestedAsset}).`, 'requested_asset');
    const amount = amountOf(params, asset);
    const description = requiredText(params, 'description', 255);
    const reference = requiredText(params, 'reference', 64);
    if (!REFERENCE.test(reference)) throw new DomainError('parameter_invalid', 'reference must be 1 to 64 letters, digits or . _ : # / -', 'reference');
    const fields = { cartItems: cartItems(params), postbackUrl: optionalUrl(params, 'postback_url'), priceUpdateUrl: optionalUrl(params, 'pos_price_update_postback_url'), personal: personalFields(params) };
    const { caller } = auth;
    await assertCreatable(app, caller, { webhookUrl: fields.postbackUrl });
    if (fields.priceUpdateUrl) await app.outbound.assertAllowed(fields.priceUpdateUrl, caller.livemode, 'pos_price_update_postback_url');
    const { key: _key, hash: _hash, ...sent } = params;
    const paymentCode = app.ids.secret('', 7); // made once, outside the unit: the same code however often it runs
    const { request, payment } = await inTransaction(app, async (unit) => {
      const created = await createPaymentRequest(unit, caller, {
        amount, currency: asset, reference, description, webhookUrl: fields.postbackUrl, allowConcurrent: true,
        // crypto cannot be refused: less than is due is kept, the rest still due (underpaid)
        partialAllowed: true, expiresInSeconds: PAYMENT_TTL_SECONDS,
      }, fingerprint(sent));
      if (created.replayedByReference) {
        const made = await paymentOf(unit.tx, created.request.id);
        if (!made) throw new DomainError('duplicate_reference', `Reference ${reference} is already used by a payment made through another API.`, 'reference');
        return { request: created.request, payment: made };
      }
      const now = created.request.createdAt;
      const payment: CliqPayment = {
        paymentCode, asset, requestedAsset, amount: params.amount as string, description, ...fields, quote: await quoteFor(unit, created.request, now), unconfirmed: {},
      };
      await savePayment(unit.tx, created.request.id, payment, now, true);
      return { request: created.request, payment };
    });
    return createdAnswer(request, payment);
  });

  route(c, 'getupdate', '/api/payment-pos/getupdate', documented('getPosPaymentUpdate', "A payment's current quote, renewed first when it ran out", ByReference, Updated), async (params) => {
    const found = await authorizedPayment(app, params);
    const { request } = found;
    if (request.status === 'succeeded' || request.status === 'authorized') return updateAnswer(request, found.payment);
    if (!pr.canApply(request.status, 'engage'))
      throw new DomainError(request.status === 'expired' ? 'request_expired' : 'invalid_state', `The payment is ${request.status} and can no longer be paid.`, undefined, { status: request.status });
    // a quote that ran out (or no longer prices what is owed) is renewed: new rate, address, invoice and expiry
    const renewed = await inTransaction(app, async (unit) => {
      const { request: current, now } = await loadCurrent(unit, found.caller, request.id);
      const payment = (await paymentOf(unit.tx, current.id)) as CliqPayment;
      if (!pr.canApply(current.status, 'engage') || !quoteOutdated(current, payment, now)) return { request: current, payment };
      return { request: current, payment: await renewQuote(unit, current, payment, now) };
    });
    return updateAnswer(renewed.request, renewed.payment);
  });

  route(c, 'get', '/api/payment/get', documented('getPayment', 'The whole payment: its status, what was received and its refunds (never renews the quote)', ByReference, Got), async (params) => {
    const found = await authorizedPayment(app, params);
    const refunds = (await listRefunds(app, found.caller, found.request.id, { limit: 100 })).items;
    const own = await refundsOf(app.db.read, refunds.map((r) => r.id));
    const now = await merchantNow(app, app.db.read, found.request.merchantId, found.request.livemode);
    return { status: 'ok', message: 'Get payment detail successfully', payment: paymentView(found.request, found.payment, refunds.map((refund) => ({ refund, own: own.get(refund.id) })), now) };
  });
}
