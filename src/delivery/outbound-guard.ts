import type { OutboundGuard } from '../app/ports/outbound.js';
import { DomainError } from '../core/errors.js';
import { checkUrlShape, resolveSafeAddress, UnsafeUrlError, type LookupAll } from './ssrf.js';

/**
 * Live mode: only http(s) URLs whose every address is public. Test mode: any http(s) URL, so a
 * receiver on localhost works during development.
 */
export function createOutboundGuard(lookup?: LookupAll): OutboundGuard {
  return {
    async assertAllowed(url, livemode, param = 'url') {
      try {
        const parsed = checkUrlShape(url);
        if (livemode) await resolveSafeAddress(parsed, lookup);
      } catch (error) {
        if (error instanceof UnsafeUrlError) throw new DomainError('parameter_invalid', `${param} is not allowed: ${error.message}.`, param);
        throw error;
      }
    },
  };
}
