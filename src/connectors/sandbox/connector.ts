import type { Connector } from '../../app/ports/connector.js';

/** The sandbox channel: money moves at once, as a test-mode integration expects. */
export function createSandboxConnector(): Connector {
  return {
    async refund() {
      return 'succeeded';
    },
  };
}
