/** Values as the store reads and writes them: item ids, times, JSON text. */

/**
 * Item ids are decimal strings of a database sequence. Anything else names no item, so callers
 * answer "not found" for it instead of passing it to the database.
 */
export function parseItemId(id: string): number | null {
  if (!/^[1-9][0-9]{0,15}$/.test(id)) return null;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * `new Date(ms).toISOString()` (null stays null), from a cache of the two seconds last seen: an
 * item's times fall mostly in the second it was pushed and the second it is worked on, and
 * formatting a Date costs more than the rest of mapping a row.
 */
export const iso = (ms: number | null | undefined): string | null => {
  if (ms === null || ms === undefined) return null;
  if (!Number.isInteger(ms)) return new Date(ms).toISOString();
  const second = Math.floor(ms / 1000);
  const milli = ms - second * 1000;
  const tail = (milli < 10 ? '00' : milli < 100 ? '0' : '') + milli + 'Z';
  if (second === isoSeconds[0]) return isoPrefixes[0] + tail;
  if (second === isoSeconds[1]) return isoPrefixes[1] + tail;
  const full = new Date(ms).toISOString(); // throws for an invalid time, as before
  // The slot not used last makes room.
  const slot = isoLast === 0 ? 1 : 0;
  isoSeconds[slot] = second;
  isoPrefixes[slot] = full.slice(0, -4); // all but "mmmZ"
  isoLast = slot;
  return full;
};
const isoSeconds = [NaN, NaN];
const isoPrefixes = ['', ''];
let isoLast = 0;

/** JSON text from the database, or null. */
export const fromJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));
