/**
 * An error's fingerprint: its message with the parts that differ between occurrences of the same
 * fault masked (ids, numbers, hex, UUIDs, times, paths, URLs' paths, e-mail addresses), so that
 * "KeyError: 'customer_4821'" and "KeyError: 'customer_77'" group as "KeyError: 'customer_<n>'".
 * The full text is kept on the item and in its history; only grouping uses the fingerprint.
 */

const MAX = 500;

/** The line that names the fault: the last of a Python traceback, else the first non-empty one. */
function headline(error: string): string {
  const lines = error.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines.length === 0) return '';
  return lines[0]!.startsWith('Traceback (most recent call last)') ? lines[lines.length - 1]! : lines[0]!;
}

const MASKS: [RegExp, string | ((m: string, ...g: string[]) => string)][] = [
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b([a-z][a-z0-9+.-]*):\/\/([^\s/'"<>]+)[^\s'"<>]*/gi, (_m, scheme: string, host: string) => `${scheme}://${host.replace(/\d+/g, '<n>')}/…`],
  [/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '<email>'],
  [/(?:[A-Za-z]:)?(?:[\\/][\w.@~-]+){2,}[\\/]?/g, '<path>'],
  [/\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?/g, '<time>'],
  [/\b\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\b/g, '<time>'],
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>'],
  [/\d+(?:\.\d+)?/g, '<n>'],
];

/**
 * The fingerprint of a failure: `errorType: masked headline` (the type only when the message
 * does not already start with it), or null when neither is given.
 */
export function fingerprint(error: string | null | undefined, errorType?: string | null): string | null {
  let text = error ? headline(error) : '';
  for (const [pattern, replacement] of MASKS) text = text.replace(pattern, replacement as string);
  text = text.replace(/\s+/g, ' ').trim();
  const type = errorType?.trim();
  if (type && !text.startsWith(type)) text = text ? `${type}: ${text}` : type;
  if (!text) return null;
  return text.length > MAX ? `${text.slice(0, MAX - 1)}…` : text;
}

/** The fingerprint the reaper gives an item it poisons (its message names the lost worker). */
export const LOST_FINGERPRINT = 'worker <id> was lost (no heartbeat for <n> s)';
