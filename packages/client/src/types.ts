// Names for the shapes of the OpenAPI document (./openapi.ts, generated from ../openapi.json).
import type { components, operations } from './openapi.js';

type Schemas = components['schemas'];
type JsonBody<Op extends keyof operations> = operations[Op] extends { requestBody: { content: { 'application/json': infer B } } } ? B
  : operations[Op] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type Query<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;
type Answer<Op extends keyof operations> = operations[Op]['responses'] extends { 200: { content: { 'application/json': infer A } } } ? A : never;

export type PaymentRequest = Schemas['PaymentRequest'];
export type PaymentRequestStatus = PaymentRequest['status'];
export type Refund = Schemas['Refund'];
export type Event = Schemas['Event'];
export type Terminal = Schemas['Terminal'];
export type Patron = Schemas['Patron'];
export type TestClock = Schemas['TestClock'];
export type CheckIn = Schemas['CheckIn'];
export type Problem = Schemas['Problem'];
export type ApiKey = Schemas['ApiKey'];
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type WebhookEndpointWithSecret = Schemas['WebhookEndpointWithSecret'];
export type DeletedWebhookEndpoint = Schemas['DeletedWebhookEndpoint'];
export type DeliveryAttempt = Schemas['DeliveryAttempt'];
export type SettlementReport = Answer<'getSettlementReport'>;
/** A delivery queued by a redelivery (its attempts then show in `events.deliveries`). */
export type QueuedDelivery = (operations['redeliverEvent']['responses'] extends { 202: { content: { 'application/json': { data: Array<infer D> } } } } ? D : never);
export type ErrorCode = Problem['code'];

export type CreatePaymentRequestParams = JsonBody<'createPaymentRequest'>;
/** The list's filters; `active` is a query string's "true" or "false", and a boolean says the same. */
export type ListPaymentRequestsParams = Omit<Query<'listPaymentRequests'>, 'cursor' | 'active'> & { active?: boolean | Query<'listPaymentRequests'>['active'] };
export type ReadyParams = JsonBody<'readyPaymentRequest'>;
export type CancelParams = JsonBody<'cancelPaymentRequest'>;
export type CaptureParams = JsonBody<'capturePaymentRequest'>;
export type CreateRefundParams = JsonBody<'createRefund'>;
export type ListEventsParams = Omit<Query<'listEvents'>, 'cursor'>;
export type SandboxPayParams = JsonBody<'sandboxPay'>;
export type CheckInParams = JsonBody<'sandboxCheckIn'>;
export type CreatePatronParams = JsonBody<'sandboxCreatePatron'>;
export type RefundOutcomeParams = JsonBody<'sandboxRefundOutcome'>;
export type CreateWebhookEndpointParams = JsonBody<'createWebhookEndpoint'>;
export type CreateTerminalParams = JsonBody<'createTerminal'>;
export type ListTerminalsParams = Omit<Query<'listTerminals'>, 'cursor'>;
export type SettlementReportParams = Query<'getSettlementReport'>;

/** A page of a list, as the API answers it. */
export interface Page<T> {
  object: 'list';
  data: T[];
  hasMore: boolean;
  nextCursor: string | null;
}

export const FINAL_STATUSES: readonly PaymentRequestStatus[] = ['succeeded', 'cancelled', 'expired', 'failed'];
