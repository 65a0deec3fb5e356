// Fastify's validator and serializer compilers for the routes' zod schemas: those of
// fastify-type-provider-zod, with each schema compiled by zod's own AOT compiler (`z.compile`: the
// same results and the same errors, several times faster; https://zod.dev/compile) the first time
// its route is asked. A payment request took 7.9 µs to check and write as a 201's answer, and takes
// 3.1 µs compiled, most of it JSON.stringify (`npx tsx bench/response-schema.ts`).
import type { FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import { ResponseSerializationError, serializerCompiler as runtimeSerializerCompiler, validatorCompiler as runtimeValidatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

type Schema = z.core.$ZodType;

/** Requests: checked by the compiled schema (z.compile falls back to the runtime parser for what it cannot compile). */
export const validatorCompiler: FastifySchemaCompiler<Schema> = (route) => {
  let validate: ReturnType<FastifySchemaCompiler<Schema>> | undefined;
  return (data) => (validate ??= runtimeValidatorCompiler({ ...route, schema: z.compile(route.schema) }))(data);
};

/**
 * Responses: a response is checked against its schema and written with only the fields the schema
 * names, as the provider's serializer does, but by the compiled schema where the answer is the same.
 * The provider encodes (zod's backward direction, which runs codecs in reverse and leaves defaults
 * out); z.compile only parses forward. The two agree on a schema with no node whose direction
 * matters (none of ours has one today); a schema with such a node keeps the encoder.
 */
export const serializerCompiler: FastifySerializerCompiler<Schema> = (route) => {
  const { schema, method, url } = route;
  if (!(schema instanceof z.core.$ZodType) || !directionless(schema)) return runtimeSerializerCompiler(route as Parameters<typeof runtimeSerializerCompiler>[0]);
  let compiled: Schema | undefined;
  return (data) => {
    const result = z.safeParse((compiled ??= z.compile(schema)), data);
    if (!result.success) throw new ResponseSerializationError(method, url, { cause: result.error });
    return JSON.stringify(result.data);
  };
};

/**
 * The kinds of node that parse differently forward and backward (zod's core/schemas.ts, the
 * `ctx.direction` tests): codecs and pipes, transforms, defaults, catches, readonly; a lazy schema
 * is not looked into, a discriminated union falls back to plain matching only backward.
 */
const DIRECTIONAL = new Set(['pipe', 'transform', 'default', 'prefault', 'catch', 'success', 'readonly', 'lazy', 'promise']);

/** True when no node of the schema parses differently forward and backward. */
export function directionless(schema: Schema, seen = new Set<Schema>()): boolean {
  if (seen.has(schema)) return true;
  seen.add(schema);
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string; discriminator?: string };
  if (DIRECTIONAL.has(def.type) || (def.type === 'union' && def.discriminator !== undefined)) return false;
  for (const [key, value] of Object.entries(def)) {
    if (key === 'checks') continue; // refinements: they run alike both ways
    const children = value instanceof z.core.$ZodType ? [value] : Array.isArray(value) ? value : key === 'shape' && value ? Object.values(value) : [];
    for (const child of children) if (child instanceof z.core.$ZodType && !directionless(child, seen)) return false;
  }
  return true;
}
