import type { Clock } from '../app/ports/clock.js';

export const systemClock: Clock = { now: () => Date.now() };

/** A clock a test moves explicitly. */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
