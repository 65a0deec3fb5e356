import Fastify from 'fastify';
import { isResponseSerializationError } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { directionless, serializerCompiler, validatorCompiler } from './zod-compilers.js';

const route = { method: 'GET', url: '/x', httpStatus: '200' };
const serialize = (schema: z.ZodType, data: unknown) => serializerCompiler({ ...route, schema })(data);
const validate = (schema: z.ZodType, data: unknown) => validatorCompiler({ ...route, httpPart: 'body', schema })(data) as { value?: unknown; error?: { keyword: string; instancePath: string; message: string }[] };

const isoDate = z.codec(z.iso.datetime(), z.date(), { decode: (text) => new Date(text), encode: (date) => date.toISOString() });

describe('directionless', () => {
  it('holds for objects, arrays, unions, records, nullables, literals and enums', () => {
    const schema = z.object({
      id: z.string(), amount: z.number().int().nullable(), tags: z.array(z.string()), status: z.enum(['a', 'b']), kind: z.literal('x'),
      meta: z.record(z.string(), z.string()), either: z.union([z.object({ a: z.string() }), z.null()]), note: z.string().optional(),
    });
    expect(directionless(schema)).toBe(true);
  });

  it('fails for a node that parses differently backward, however deep', () => {
    expect(directionless(z.object({ items: z.array(z.object({ at: isoDate })) }))).toBe(false);
    expect(directionless(z.object({ n: z.number().default(1) }))).toBe(false);
    expect(directionless(z.array(z.string().transform((s) => s.length)))).toBe(false);
    expect(directionless(z.object({ list: z.union([z.string(), z.number().catch(0)]) }))).toBe(false);
    expect(directionless(z.record(z.string(), z.string().readonly()))).toBe(false);
    expect(directionless(z.discriminatedUnion('type', [z.object({ type: z.literal('a') }), z.object({ type: z.literal('b') })]))).toBe(false);
    expect(directionless(z.object({ self: z.lazy(() => z.string()) }))).toBe(false);
  });

  it('fails where a container has checks (they see its input backward, its output forward), or a leaf is coerced', () => {
    expect(directionless(z.object({ a: z.number() }).overwrite((o) => ({ ...o, b: 1 })))).toBe(false);
    expect(directionless(z.object({ ref: z.string().trim() }).refine((o) => o.ref.length <= 3))).toBe(false);
    expect(directionless(z.array(z.string()).refine((list) => list.length !== 1))).toBe(false);
    expect(directionless(z.object({ n: z.coerce.number() }))).toBe(false);
    // a leaf's checks see the same value both ways, a container's size checks the same size
    expect(directionless(z.object({ id: z.string().min(1).trim(), n: z.number().int().positive(), at: z.iso.datetime(), errors: z.array(z.string()).max(0) }))).toBe(true);
  });

  it('fails for a schema that contains itself, and holds for one shared by siblings', () => {
    const node: z.ZodType = z.object({ name: z.string().min(1), get children() { return z.array(node); } });
    expect(directionless(node)).toBe(false);
    const shared = z.object({ at: z.string() });
    expect(directionless(z.object({ a: shared, b: z.array(shared), c: shared.nullable() }))).toBe(true);
  });

  it('looks at a field named by a symbol', () => {
    const key = Symbol('k');
    expect(directionless(z.object({ [key]: z.string().transform((s) => s.length) }))).toBe(false);
  });
});

describe('serializerCompiler', () => {
  const Payment = z.object({ id: z.string(), amount: z.number().int(), reference: z.string().nullable() });

  it('writes the fields the schema names, in its order, and drops the others', () => {
    expect(serialize(Payment, { reference: null, id: 'pr_1', amount: 1500, secret: 'x' })).toBe('{"id":"pr_1","amount":1500,"reference":null}');
  });

  it('refuses an answer that does not match its schema (the error handler makes it a 500)', () => {
    let thrown: unknown;
    try {
      serialize(Payment, { id: 'pr_1', amount: 15.5, reference: null });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(isResponseSerializationError(thrown as Error)).toBe(true);
    expect(((thrown as Error).cause as z.ZodError).issues[0]!.path).toEqual(['amount']);
  });

  it('encodes, as the provider does, where a schema has a node whose direction matters', () => {
    // forward, the codec would refuse a Date and the default would fill the field in
    const Stamped = z.object({ at: isoDate, count: z.number().optional().default(7) });
    expect(serialize(Stamped, { at: new Date(Date.UTC(2026, 11, 6)) })).toBe('{"at":"2026-12-06T00:00:00.000Z"}');
  });
});

describe('validatorCompiler', () => {
  const Body = z.strictObject({ amount: z.number().int().positive(), currency: z.string().regex(/^[A-Z]{3}$/), note: z.string().default('none') });

  it('answers the parsed value, defaults filled', () => {
    expect(validate(Body, { amount: 1500, currency: 'NZD' })).toEqual({ value: { amount: 1500, currency: 'NZD', note: 'none' } });
  });

  it('answers the same issues as the runtime parser', () => {
    const bad = { amount: -1, currency: 'nzd', extra: true };
    const { error } = validate(Body, bad);
    const expected = Body.safeParse(bad).error!.issues.map(({ code, path, message }) => ({ keyword: code, instancePath: `/${path.join('/')}`, message }));
    expect(error?.map(({ keyword, instancePath, message }) => ({ keyword, instancePath, message }))).toEqual(expected);
  });

  it('serves a route: a bad body is refused, a good one answered through the response schema', async () => {
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    app.post('/p', { schema: { body: Body, response: { 200: z.object({ amount: z.number().int() }) } } }, async (request) => ({ ...(request.body as object), internal: 'x' }));
    try {
      expect((await app.inject({ method: 'POST', url: '/p', payload: { amount: 0, currency: 'NZD' } })).statusCode).toBe(400);
      const ok = await app.inject({ method: 'POST', url: '/p', payload: { amount: 5, currency: 'NZD' } });
      expect([ok.statusCode, ok.body]).toEqual([200, '{"amount":5}']);
    } finally {
      await app.close();
    }
  });
});
