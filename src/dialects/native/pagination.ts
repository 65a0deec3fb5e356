// Cursor pagination: a cursor is the sort key of a page's last item, as it is. Clients treat it as
// opaque; the query schemas (schemas.ts) check its pattern, which is all the server requires of it
// (a cursor that names no item simply pages from where that key would sort).

export function listBody<T>(data: T[], hasMore: boolean, lastKey: string | number | undefined) {
  return { object: 'list' as const, data, hasMore, nextCursor: hasMore && lastKey !== undefined ? String(lastKey) : null };
}
