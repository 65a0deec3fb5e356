// GET /centrapay/.well-known/jwks.json: the public keys that verify Centrapay-format webhooks.
// Public (receivers fetch it with no credentials), so it is mounted outside the X-Api-Key scope.
import type { FastifyInstance } from 'fastify';
import { JWKS_MAX_AGE_SECONDS, publishedSigningKeys } from '../../../app/use-cases/signing-keys.js';
import type { CentrapayDeps } from '../deps.js';

/**
 * Short, so a rotation's new kid is seen within a minute by a receiver that caches. A rotated-in
 * key signs only once this has passed (signing-keys.ts), so a cached copy always holds the kid
 * that signs; the retired key stays listed for 7 days.
 */
const CACHE_CONTROL = `public, max-age=${JWKS_MAX_AGE_SECONDS}`;

export function jwksRoutes(fastify: FastifyInstance, deps: CentrapayDeps): void {
  fastify.get('/.well-known/jwks.json', { schema: { hide: true } }, async (_req, reply) => {
    const keys = await publishedSigningKeys(deps.app);
    reply.header('cache-control', CACHE_CONTROL);
    return { keys: keys.map((k) => ({ kty: k.kty, crv: k.crv, x: k.x, y: k.y, kid: k.kid, alg: 'ES256', use: 'sig' })) };
  });
}
