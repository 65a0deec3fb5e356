// The persistence port's part for dialect records: what one API surface alone needs to keep (a
// provider's own fields of a request, its ids), in a table of the dialects' own, keyed by the
// dialect, a kind it names and the key of what the record concerns. The engine never reads them.
export interface DialectRecord {
  dialect: string;
  /** What the record is about, in the dialect's words ('payment_request', 'point_of_sale', …). */
  kind: string;
  /** The id of what it concerns (a payment request's id, …). */
  key: string;
  data: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export interface DialectRecordReads {
  getDialectRecord(dialect: string, kind: string, key: string): Promise<DialectRecord | null>;
  /** The records of these keys that exist, in no particular order. */
  listDialectRecords(dialect: string, kind: string, keys: readonly string[]): Promise<DialectRecord[]>;
}

export interface DialectRecordWrites {
  /** Writes the record, replacing one of the same dialect, kind and key. */
  putDialectRecord(record: DialectRecord): Promise<void>;
  /**
   * Writes the record only if none of the same dialect, kind and key exists, and says whether it
   * did: a key the caller names (a POS's own payment id) is claimed once. A transaction still
   * writing the same key is waited for, so of two concurrent claims exactly one wins.
   */
  addDialectRecord(record: DialectRecord): Promise<boolean>;
}
