import type { App } from '../../app/context.js';

/** What the dashboard is given by the composition root. */
export interface DashboardDeps {
  app: App;
  /** Base URL the gateway is reached at (https there makes cookies Secure). */
  readonly publicUrl: string;
  /** Names of the APIs requests come through (native and each dialect's): the list's API filter. */
  readonly sources: readonly string[];
  /** How often the live stream sends its heartbeat and checks its session again, ms (default 15 s; tests shorten it). */
  readonly liveHeartbeatMs?: number;
}
