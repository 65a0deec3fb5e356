// The bodies of Kowri's operations (besides requestId, appReference and secret: transport.ts).
import { z } from 'zod';
import { Cedis, CURRENCY } from './amounts.js';
import { PROVIDERS } from './pay-options.js';
import { bodyOf } from './transport.js';

const hasControl = (text: string) => [...text].some((char) => char.charCodeAt(0) < 0x20);
const Text = (max: number) => z.string().min(1).max(max).refine((text) => !hasControl(text), 'no control characters');
const OrderId = Text(100);
const Url = z.url({ protocol: /^https?$/ }).max(2048);
const Phone = z.string().regex(/^\+?\d{8,15}$/, '8 to 15 digits, with an optional leading +');
const Currency = z.literal(CURRENCY, `Kowri invoices are in ${CURRENCY}`).optional();

const Item = z.object({
  code: Text(64).optional(),
  name: Text(200),
  description: z.string().max(1000).optional(),
  // "" is no image (an empty field, as a POS filling Kowri's item template sends it)
  imgUrl: Url.or(z.literal('')).optional().describe('The item\'s image: an http(s) URL; "" or absent for none'),
  unitPrice: Cedis,
  quantity: z.number().int().min(1).max(1_000_000),
  subTotal: Cedis,
});

const Metadata = z.array(z.object({ key: Text(100), value: z.string().max(2048) })).max(50);

/** Where the invoice is: by invoiceNum or by merchantOrderId. */
const InvoiceKey = { invoiceNum: z.guid().optional(), merchantOrderId: OrderId.optional() };
const needsKey = (body: { invoiceNum?: string; merchantOrderId?: string }) => body.invoiceNum !== undefined || body.merchantOrderId !== undefined;
const KEY_MESSAGE = { message: 'invoiceNum or merchantOrderId is required', path: ['invoiceNum'] };

const invoiceFields = {
  merchantOrderId: OrderId,
  currency: Currency,
  reference: z.string().max(200).optional(),
  description: z.string().max(1000).optional(),
  amount: Cedis.optional(),
  invoiceItems: z.array(Item).min(1).max(100).optional(),
  trustedNum: Phone.optional(),
  metadata: Metadata.optional(),
  callbackUrl: Url.optional(),
};

export const CreateInvoiceBody = bodyOf(invoiceFields);
// the refinement said in JSON Schema too, for the OpenAPI document
export const InvoiceKeyBody = bodyOf(InvoiceKey).refine(needsKey, KEY_MESSAGE).meta({ anyOf: [{ required: ['invoiceNum'] }, { required: ['merchantOrderId'] }] });
export const ListPayOptionsBody = bodyOf({});

/**
 * The POS's id of a new payment. Every example of Kowri's sends `"transactionId": ""` (and
 * processPayment's parameter table lists none): empty or absent is "none given", and posgate makes
 * one, answered as the payment's transactionId.
 */
const NewTransactionId = z.string().max(64).refine((text) => !hasControl(text), 'no control characters').optional()
  .describe('The POS\'s id of the payment, unique per merchant; "" or absent: posgate makes one and answers it as transactionId');

/** A payment's transactionId to find it by: an empty one finds nothing, so it is refused as such. */
const TransactionKey = z.string()
  .min(1, 'must not be empty: send the transactionId that processPayment or payNow answered (posgate makes one when a payment is started without it).')
  .max(64).refine((text) => !hasControl(text), 'no control characters');

const paymentFields = {
  provider: z.enum(PROVIDERS),
  walletRef: z.string().max(64).optional(),
  customerName: z.string().max(200).optional(),
  customerMobile: Phone.optional(),
  transactionId: NewTransactionId,
};

export const ProcessPaymentBody = bodyOf({ invoiceNum: z.guid(), ...paymentFields });
export const PayNowBody = bodyOf({
  ...invoiceFields, ...paymentFields,
  merchantOrderId: OrderId.optional(),
  customerSegment: z.string().max(100).optional(),
  serviceCode: z.string().max(20).optional(),
});
export const CheckPaymentStatusBody = bodyOf({ transactionId: TransactionKey });
export const DecidePaymentBody = bodyOf({ transactionId: TransactionKey, outcome: z.enum(['approve', 'decline']) });

export type CreateInvoiceInput = z.infer<typeof CreateInvoiceBody>;
export type PaymentInput = z.infer<typeof ProcessPaymentBody>;
export type PayNowInput = z.infer<typeof PayNowBody>;
