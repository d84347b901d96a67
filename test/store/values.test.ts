import { describe, expect, it } from 'vitest';
import { iso } from '@/db/store/values';

describe('iso', () => {
  it('formats exactly as Date#toISOString, whichever seconds its cache holds', () => {
    // Times alternating between seconds, as an item's push, claim and completion times do, and
    // edges: before 1970, the ends of 4-digit years, fractions of a millisecond.
    const times = [
      0, 999, 1000, -1, -999, -1000, -1001, 1.5, 253402300799999, 253402300800000, -62167219200001, 8.64e15, -8.64e15,
    ];
    const base = Date.parse('2026-11-29T06:10:54.000Z');
    for (let i = 0; i < 3000; i++) times.push(base + ((i * 7919) % 5000), base - 86_400_000 + (i % 1700), base + 3_600_000 + i);
    for (const ms of times) expect(iso(ms)).toBe(new Date(ms).toISOString());
  });

  it('keeps null and undefined as null, and refuses an invalid time', () => {
    expect(iso(null)).toBeNull();
    expect(iso(undefined)).toBeNull();
    expect(() => iso(8.64e15 + 1)).toThrow(RangeError);
  });
});
