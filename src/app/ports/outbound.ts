/** Decides whether posgate may call a URL: live mode refuses private, loopback and metadata addresses. */
export interface OutboundGuard {
  /** Throws a DomainError naming `param` (default `url`) when the URL may not be called in this mode. */
  assertAllowed(url: string, livemode: boolean, param?: string): Promise<void>;
}
