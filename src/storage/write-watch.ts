// What a transaction's plugin sees: whether it has written anything yet, from what Kysely runs (a
// statement that changed rows, by the count the driver gives, or an insert, update, delete or merge
// that ran where it gives none: RETURNING on SQLite), and whether it has ended. A compiled query
// shows its node at each run (storage/compiled.ts), or, run at once past Kysely on SQLite, is
// reported by `ran`; building one without running it writes nothing. Not seen: a raw `sql` write
// with RETURNING on SQLite, or a writing CTE (a SELECT at the top): write through the builder.
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryId, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

const WRITES = new Set<RootOperationNode['kind']>(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode', 'MergeQueryNode']);

export class WriteWatch implements KyselyPlugin {
  written = false;
  /**
   * Set by the driver once the unit's work is over. SQLite group commit runs several units in one
   * database transaction, so a query of a unit that has ended would otherwise run inside the next.
   */
  private ended = false;

  end(): void {
    this.ended = true;
  }

  /** Throws for a query of a transaction that has ended (every query, built or compiled, comes here first). */
  assertOpen(): void {
    if (this.ended) throw new Error('a query of a transaction that has ended');
  }
  /** Writes about to run, by query id (seen before they run, counted once they have). */
  private readonly built = new WeakSet<QueryId>();

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    this.assertOpen();
    if (WRITES.has(node.kind)) this.built.add(queryId);
    return node;
  }

  async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.saw(this.built.has(queryId), result);
    return result;
  }

  /** A query run past the plugins (compiled.ts, runCompiledAtOnce): its node and its result. */
  ran(node: RootOperationNode, result: QueryResult<unknown>): void {
    this.saw(WRITES.has(node.kind), result);
  }

  private saw(isWrite: boolean, result: QueryResult<unknown>): void {
    // a write that changed no row wrote nothing; one whose count the driver does not give
    // (RETURNING on SQLite) is taken to have written
    const changed = result.numAffectedRows === undefined ? isWrite : result.numAffectedRows > 0n;
    if (changed) this.written = true;
  }
}
