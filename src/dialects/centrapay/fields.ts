// Centrapay's own fields of a payment request (configId, invoiceRef, its line items as sent, whether
// it is a pre-authorization, …): kept in a dialect record of its own, not in the core's request.
import type { ReadTx, Tx } from '../../app/ports/persistence.js';
import { DIALECT } from './credentials.js';

const KIND = 'payment_request';

export type CentrapayFields = Record<string, unknown>;

/** The fields kept at creation ({} for a request another API created). */
export async function fieldsOf(tx: ReadTx, requestId: string): Promise<CentrapayFields> {
  return (await tx.getDialectRecord(DIALECT, KIND, requestId))?.data ?? {};
}

export async function saveFields(tx: Tx, requestId: string, fields: CentrapayFields, now: number): Promise<void> {
  await tx.putDialectRecord({ dialect: DIALECT, kind: KIND, key: requestId, data: fields, createdAt: now, updatedAt: now });
}

export const isPreAuth = (fields: CentrapayFields) => fields.preAuth === true;
