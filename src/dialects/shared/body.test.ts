import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseObjectBody } from './body.js';

const Body = z.strictObject({ amount: z.string().regex(/^\d+\.\d\d$/), item: z.strictObject({ name: z.string() }).optional() });
const refusal = (body: unknown) => {
  try {
    parseObjectBody(Body, body, (field) => field === 'amount');
  } catch (error) {
    const { code, param, message } = error as { code: string; param: string; message: string };
    return { code, param, message };
  }
  return 'accepted';
};

describe('parseObjectBody: a dialect\'s body by its own schema', () => {
  it('accepts what the schema takes', () => expect(refusal({ amount: '1.50' })).toBe('accepted'));

  it('names the first problem by its field, with the code that fits it', () => {
    expect(refusal(undefined)).toMatchObject({ code: 'parameter_missing', param: 'body' });
    expect(refusal([])).toMatchObject({ code: 'parameter_invalid', param: 'body' });
    expect(refusal('1.50')).toMatchObject({ code: 'parameter_invalid', param: 'body' });
    expect(refusal({})).toEqual({ code: 'parameter_missing', param: 'amount', message: 'amount is required.' });
    // present but of the wrong type is not "required"
    expect(refusal({ amount: 150 })).toMatchObject({ code: 'amount_invalid', param: 'amount' });
    expect(refusal({ amount: '1.50', item: { name: 7 } })).toMatchObject({ code: 'parameter_invalid', param: 'item.name' });
    expect(refusal({ amount: '1.50', item: { name: 'x', colour: 'red' } })).toEqual({ code: 'unknown_field', param: 'item.colour', message: 'Unknown field item.colour.' });
  });
});


describe('parseObjectBody: missing is what the body lacks, whatever zod calls it', () => {
  const Modes = z.strictObject({ mode: z.enum(['test', 'live']) });
  const codeOf = (body: unknown) => {
    try {
      parseObjectBody(Modes, body, () => false);
      return null;
    } catch (error) {
      return (error as { code: string }).code;
    }
  };
  it('an absent enum (zod: invalid_value) is parameter_missing; a wrong or null one is parameter_invalid', () => {
    expect(codeOf({})).toBe('parameter_missing');
    expect(codeOf({ mode: 'staging' })).toBe('parameter_invalid');
    expect(codeOf({ mode: null })).toBe('parameter_invalid');
    expect(codeOf({ mode: 'live' })).toBeNull();
  });
});
