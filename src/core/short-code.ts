// Short codes a patron can read aloud or type: 8 random characters and a Luhn mod N check
// character from an alphabet without look-alikes (no 0/O, 1/I/L, nor U), shown as XXX-XXX-XXC.

// 30 characters: Luhn mod N catches every single-character error only when N is even, so U (read as V) is left out too.
export const SHORT_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
const N = SHORT_CODE_ALPHABET.length;
const BODY_LENGTH = 8;

function luhnSum(codePoints: number[], startFactor: 1 | 2): number {
  let factor = startFactor;
  let sum = 0;
  for (let i = codePoints.length - 1; i >= 0; i--) {
    const addend = factor * (codePoints[i] as number);
    sum += Math.floor(addend / N) + (addend % N);
    factor = factor === 2 ? 1 : 2;
  }
  return sum;
}

function toCodePoints(text: string): number[] | null {
  const points: number[] = [];
  for (const char of text) {
    const index = SHORT_CODE_ALPHABET.indexOf(char);
    if (index < 0) return null;
    points.push(index);
  }
  return points;
}

export function checkCharacter(body: string): string {
  const points = toCodePoints(body);
  if (!points) throw new RangeError('short code body has a character outside the alphabet');
  return SHORT_CODE_ALPHABET[(N - (luhnSum(points, 2) % N)) % N] as string;
}

/** Random bytes below this map evenly onto the alphabet (8 × 30); the caller discards the rest. */
export const SHORT_CODE_BYTE_LIMIT = 256 - (256 % N);

/** Builds a short code from 8 random bytes, each below SHORT_CODE_BYTE_LIMIT (the caller supplies the randomness). */
export function makeShortCode(random: ArrayLike<number>): string {
  if (random.length < BODY_LENGTH) throw new RangeError('need 8 random values');
  let body = '';
  for (let i = 0; i < BODY_LENGTH; i++) {
    const value = random[i] as number;
    if (value >= SHORT_CODE_BYTE_LIMIT) throw new RangeError('random values must be below SHORT_CODE_BYTE_LIMIT');
    body += SHORT_CODE_ALPHABET[value % N];
  }
  const code = body + checkCharacter(body);
  return `${code.slice(0, 3)}-${code.slice(3, 6)}-${code.slice(6)}`;
}

/**
 * Normalises what a person typed (any case, with or without dashes or spaces) to XXX-XXX-XXC,
 * or null when it is not a short code or its check character is wrong.
 */
export function parseShortCode(input: string): string | null {
  const compact = input.toUpperCase().replace(/[\s-]/g, '');
  if (compact.length !== BODY_LENGTH + 1) return null;
  const points = toCodePoints(compact);
  if (!points || luhnSum(points, 1) % N !== 0) return null;
  return `${compact.slice(0, 3)}-${compact.slice(3, 6)}-${compact.slice(6)}`;
}
