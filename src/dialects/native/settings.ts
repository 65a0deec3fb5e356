// The native API's own environment variables, declared as every dialect declares its own (checked
// at start, listed in the README's generated table).
import { z } from 'zod';
import { EVENT_STREAM_DEFAULTS } from '../../app/use-cases/event-stream.js';
import { intFrom } from '../../config/config.js';

export const NativeSettings = z.object({
  POSGATE_SSE_HEARTBEAT_MS: intFrom(15_000, 10).describe('Native API: how often an event stream (`GET /v1/events/stream`) sends its heartbeat comment, in ms'),
  POSGATE_SSE_POLL_MS: intFrom(EVENT_STREAM_DEFAULTS.pollIntervalMs, 10).describe("Native API: how often an event stream re-reads the store for other processes' events, in ms"),
});

export type NativeSettings = z.infer<typeof NativeSettings>;
