// posgate ids are `prefix_` + a ULID (48-bit time, 80-bit random: 128 bits in 26 Crockford
// characters). Dialects whose providers hand out GUIDs (payment, refund and store ids)
// show the same 128 bits as a GUID, so no second id has to be stored or looked up.

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID_LENGTH = 26;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What a posgate id of a kind (`pr`, `term`, …) may look like where one is read: its prefix and up
 * to 64 letters and digits (ids made before the ULIDs, and tests', are shorter).
 */
export const idPattern = (prefix: string): RegExp => new RegExp(`^${prefix}_[0-9A-Za-z]{1,64}$`);

/** The GUID spelling of a posgate id, or null when the id is not prefix_ULID. */
export function uuidOfId(id: string): string | null {
  const ulid = id.slice(id.indexOf('_') + 1);
  if (ulid.length !== ULID_LENGTH) return null;
  let value = 0n;
  for (const char of ulid) {
    const digit = CROCKFORD.indexOf(char);
    if (digit < 0) return null;
    value = value * 32n + BigInt(digit);
  }
  if (value >> 128n !== 0n) return null;
  const hex = value.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The posgate id with this prefix that a GUID spells, or null when the text is not a GUID. */
export function idOfUuid(prefix: string, uuid: string): string | null {
  if (!UUID_PATTERN.test(uuid)) return null;
  let value = BigInt(`0x${uuid.replace(/-/g, '')}`);
  let ulid = '';
  for (let i = 0; i < ULID_LENGTH; i++) {
    ulid = CROCKFORD[Number(value % 32n)] + ulid;
    value /= 32n;
  }
  return `${prefix}_${ulid}`;
}

export function isUuid(text: string): boolean {
  return UUID_PATTERN.test(text);
}
