import { DomainError } from '../../core/errors.js';

/** Cursors are opaque to clients: base64url of the last item's sort key. */
export function encodeCursor(key: string | number): string {
  return Buffer.from(String(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded || !/^[A-Za-z0-9_]+$/.test(decoded)) throw new DomainError('parameter_invalid', 'cursor is not a cursor this API returned.', 'cursor');
  return decoded;
}

export function listBody<T>(data: T[], hasMore: boolean, lastKey: string | number | undefined) {
  return { object: 'list' as const, data, hasMore, nextCursor: hasMore && lastKey !== undefined ? encodeCursor(lastKey) : null };
}
