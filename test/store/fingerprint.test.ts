import { describe, expect, it } from 'vitest';
import { fingerprint } from '@/db/store/fingerprint';

describe('error fingerprints', () => {
  it.each([
    ["KeyError: 'customer_4821'", "KeyError: 'customer_<n>'"],
    ['TimeoutError: upstream api.example.com did not answer in 30 s (request 8f3a9c2e11d4)', 'TimeoutError: upstream api.example.com did not answer in <n> s (request <hex>)'],
    ['FileNotFoundError: /data/in/2026-12-04/img_0042.png', 'FileNotFoundError: <path>'],
    ['GET https://api.example.com/v2/users/42 failed: 503 at 2026-12-04T07:29:38.120Z', 'GET https://api.example.com/… failed: <n> at <time>'],
    ['request 123e4567-e89b-12d3-a456-426614174000 from bob@example.com denied', 'request <uuid> from <email> denied'],
    ['Traceback (most recent call last):\n  File "x.py", line 3, in <module>\nValueError: bad row 17', 'ValueError: bad row <n>'],
    ['Error: boom\n    at foo (/srv/app/index.js:10:5)', 'Error: boom'],
    ['  lots   of\tspace  ', 'lots of space'],
  ])('%s', (error, expected) => {
    expect(fingerprint(error)).toBe(expected);
  });

  it('groups what differs only in its ids, and keeps apart what differs in words', () => {
    expect(fingerprint("KeyError: 'customer_1'")).toBe(fingerprint("KeyError: 'customer_99999'"));
    expect(fingerprint('timeout after 3 s')).not.toBe(fingerprint('refused after 3 s'));
  });

  it('puts the error type first unless the message starts with it; null with neither', () => {
    expect(fingerprint('no luck', 'RuntimeError')).toBe('RuntimeError: no luck');
    expect(fingerprint('RuntimeError: no luck', 'RuntimeError')).toBe('RuntimeError: no luck');
    expect(fingerprint(null, 'OutOfMemory')).toBe('OutOfMemory');
    expect(fingerprint(null)).toBeNull();
    expect(fingerprint('   ')).toBeNull();
  });

  it('is bounded', () => {
    expect(fingerprint('x'.repeat(10_000))!.length).toBeLessThanOrEqual(500);
  });
});
