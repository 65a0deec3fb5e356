// Whether a transaction has written anything yet, seen from what Kysely runs: a statement built to
// insert, update, delete or merge that ran (whatever it then changed), or any statement the
// database says changed rows (the hot queries, compiled once, reach the driver without being built
// again; building one, without running it, writes nothing).
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryId, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

const WRITES = new Set<RootOperationNode['kind']>(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode', 'MergeQueryNode']);

export class WriteWatch implements KyselyPlugin {
  written = false;
  /** Writes built and not yet run (a compiled query is built once and run under other ids). */
  private readonly built = new WeakSet<QueryId>();

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    if (WRITES.has(node.kind)) this.built.add(queryId);
    return node;
  }

  async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.built.has(queryId) || (result.numAffectedRows ?? 0n) > 0n) this.written = true;
    return result;
  }
}
