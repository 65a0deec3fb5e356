import { describe, expect, it } from 'vitest';
import { createIds } from '../system/ids.js';
import { idOfUuid, uuidOfId } from './uuid-ids.js';

describe('GUID spelling of ids', () => {
  it('round-trips every id the id maker makes', () => {
    const ids = createIds();
    for (let i = 0; i < 1000; i++) {
      const id = ids.id('pr');
      const uuid = uuidOfId(id) as string;
      expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(idOfUuid('pr', uuid)).toBe(id);
      expect(idOfUuid('pr', uuid.toUpperCase())).toBe(id);
    }
  });

  it('keeps distinct ids distinct and refuses what is not an id or a GUID', () => {
    expect(uuidOfId('pr_01ARZ3NDEKTSV4RRFFQ69G5FAV')).not.toBe(uuidOfId('pr_01ARZ3NDEKTSV4RRFFQ69G5FAW'));
    expect(uuidOfId('pr_short')).toBeNull();
    expect(uuidOfId('pr_01ARZ3NDEKTSV4RRFFQ69G5FAU')).toBeNull(); // U is not Crockford
    expect(uuidOfId('pr_81ARZ3NDEKTSV4RRFFQ69G5FAV')).toBeNull(); // above 128 bits
    expect(idOfUuid('pr', 'not-a-guid')).toBeNull();
    expect(idOfUuid('pr', '00000000-0000-0000-0000-00000000000g')).toBeNull();
    expect(idOfUuid('rf', '00000000-0000-0000-0000-000000000000')).toBe('rf_00000000000000000000000000');
  });
});
