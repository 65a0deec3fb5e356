// The shape of window.posgate, the shared client script that every page script runs after (the
// pages load client.js first, then their own script). Types only: nothing here reaches a bundle.

/** A failed P.api call: the HTTP status (0: no connection) and the problem+json body, if any. */
export interface ApiError extends Error {
  status?: number;
  problem?: { detail?: string; param?: string } | null;
}

export type Parsed = { minor: number; error?: undefined } | { error: string; minor?: undefined };

export interface PollOptions {
  headers?: Record<string, string>;
  onFatal?: (err: ApiError) => void;
}

export interface Posgate {
  locale: string | undefined;
  minorToDecimal(minor: number, exponent: number): string;
  formatMoney(minor: number | null | undefined, currency: string, exponent: number): string;
  formatDecimal(text: string, currency: string, exponent: number): string;
  parseMajor(text: string | null | undefined, exponent: number): Parsed;
  duration(ms: number): string;
  deadline(at: string | number, now: string | number): number;
  clock(): number;
  $<E extends Element = HTMLElement>(selector: string, root?: ParentNode): E;
  text(el: Element | null, text: string): void;
  show(el: Element | null, visible: unknown): void;
  setSvg(el: Element | null, svg: string | null | undefined): void;
  readJson<T>(id: string): T;
  api<T>(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  poll<T>(urlFor: () => string, onState: (state: T) => void, options?: PollOptions): { stop(): void };
  announce(text: string): void;
}

declare global {
  interface Window {
    posgate: Posgate;
  }
}
