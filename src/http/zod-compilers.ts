// Fastify's validator and serializer compilers for the routes' zod schemas: those of
// fastify-type-provider-zod, with each schema compiled by zod's own AOT compiler (`z.compile`: the
// same results and errors as zod's runtime parser, several times faster; https://zod.dev/compile)
// the first time its route is asked. A payment request took 7.9 µs to check and write as a 201's
// answer, and takes 3.1 µs compiled, most of it JSON.stringify (`npx tsx bench/response-schema.ts`).
import type { FastifySchemaCompiler, FastifySchemaValidationError, FastifySerializerCompiler } from 'fastify';
import { ResponseSerializationError, serializerCompiler as runtimeSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

type Schema = z.core.$ZodType;

/** What marks an entry of a validation error as a zod issue (fastify-type-provider-zod's `hasZodFastifySchemaValidationErrors` looks for it). */
const ZOD_VALIDATION_ERROR = Symbol.for('ZodFastifySchemaValidationError');

/**
 * Requests: checked by the compiled schema (z.compile falls back to the runtime parser for what it
 * cannot compile), each issue in the shape fastify-type-provider-zod gives it, plus two facts that
 * only the input holds, so the error mapping (dialects/shared/errors.ts) can say what is wrong:
 * - `absent`: the field is not there. zod's code for that depends on the field's type (an enum or
 *   a literal says `invalid_value` with its own message, a number `invalid_type`), so the code
 *   cannot tell a missing field from a wrong one; the input can (zod reports it with `reportInput`).
 *   The input itself is dropped from the issue: it can be a whole body, and nothing needs it later.
 * - a query parameter given more than once reaches the schema as an array (`?limit=5&limit=6`),
 *   which a field that takes one value refuses in terms of its coercion ("received NaN"): the
 *   message says what happened instead.
 */
export const validatorCompiler: FastifySchemaCompiler<Schema> = (route) => {
  let compiled: Schema | undefined;
  const query = route.httpPart === 'querystring';
  return (data) => {
    const result = z.safeParse((compiled ??= z.compile(route.schema)), data, { reportInput: true });
    if (result.success) return { value: result.data };
    const error = result.error.issues.map(({ path, code, message, input, ...rest }): FastifySchemaValidationError & { [ZOD_VALIDATION_ERROR]: true } => {
      const repeated = query && path.length === 1 && Array.isArray((data as Record<PropertyKey, unknown> | undefined)?.[path[0] as PropertyKey]);
      return {
        [ZOD_VALIDATION_ERROR]: true, keyword: code, instancePath: `/${path.join('/')}`, schemaPath: `#/${path.join('/')}/${code}`,
        message: repeated ? 'given more than once in the query; give it once' : message,
        params: { ...rest, absent: input === undefined },
      };
    });
    return { error };
  };
};

/**
 * Responses: a response is checked against its schema and written with only the fields the schema
 * names, as the provider's serializer does, but by the compiled schema where the answer is the same.
 * The provider encodes (zod's backward direction, which runs codecs in reverse, leaves defaults out
 * and checks a node's input before parsing it); z.compile only parses forward. The two agree on a
 * schema `directionless` accepts (all of ours today); any other keeps the provider's encoder.
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
 * The kinds of node whose forward parse and backward encode can differ (zod's core/schemas.ts, its
 * `ctx.direction` tests): codecs and pipes, transforms, defaults, catches, readonly; a lazy schema
 * is not looked into; a discriminated union falls back to plain matching only backward.
 */
const DIRECTIONAL = new Set(['pipe', 'transform', 'default', 'prefault', 'catch', 'success', 'readonly', 'lazy', 'promise']);
/**
 * Backward, a node's checks run on its input before it is parsed; forward, on what the parse made
 * of it. The two are the same value for a leaf that parses a value as it is (not coerced), and
 * have the same size for a container (an array of at most 0 errors, say); a container's other
 * checks (a refinement, an overwrite) may see a field the parse strips.
 */
const LEAVES = new Set(['string', 'number', 'bigint', 'boolean', 'date', 'literal', 'enum', 'template_literal', 'null', 'undefined', 'void', 'nan', 'symbol', 'any', 'unknown', 'never']);
const SIZE_CHECKS = new Set(['min_length', 'max_length', 'length_equals', 'min_size', 'max_size', 'size_equals']);
const checkKind = (check: unknown) => (check as z.core.$ZodCheck)._zod.def.check;

/**
 * True when the schema answers the same forward and backward: the same value, or a refusal (whose
 * issues may be listed in another order). A schema that contains itself is not (zod remembers a
 * recursive node's first, unchecked parse backward).
 */
export function directionless(schema: Schema, ancestors = new Set<Schema>(), known = new Set<Schema>()): boolean {
  if (known.has(schema)) return true;
  if (ancestors.has(schema)) return false;
  const def = schema._zod.def as unknown as Record<PropertyKey, unknown> & { type: string; checks?: unknown[]; coerce?: boolean; discriminator?: string };
  if (DIRECTIONAL.has(def.type) || def.coerce || (def.type === 'union' && def.discriminator !== undefined)) return false;
  if (!LEAVES.has(def.type) && def.checks?.some((check) => !SIZE_CHECKS.has(checkKind(check)))) return false;
  ancestors.add(schema);
  for (const [key, value] of Object.entries(def)) {
    if (key === 'checks') continue;
    const children = value instanceof z.core.$ZodType ? [value] : Array.isArray(value) ? value : key === 'shape' && value ? Reflect.ownKeys(value).map((name) => (value as Record<PropertyKey, unknown>)[name]) : [];
    for (const child of children) if (child instanceof z.core.$ZodType && !directionless(child, ancestors, known)) return false;
  }
  ancestors.delete(schema);
  known.add(schema);
  return true;
}
