// The demo's worker command: reads one item's data as JSON on stdin, works for a moment, and
// prints a JSON result, or fails (exit 1) with an error of the item's kind. Errors of one kind
// share a pattern and differ in ids, numbers, paths and times, as real ones do; a flaky item
// times out on its first attempt only.
import { randomBytes } from 'node:crypto';

const hex = (bytes) => randomBytes(bytes).toString('hex');
const ERRORS = {
  timeout: () => `TimeoutError: upstream api.example.com did not answer in 30 s (request ${hex(8)})`,
  key: (item) => `KeyError: 'customer_${item.customer}'`,
  missing: (item) => `FileNotFoundError: /data/in/${item.day}/img_${String(item.n).padStart(4, '0')}.png`,
  decode: (item) =>
    `ValueError: cannot decode row ${item.n} of batch ${item.batch} at ${new Date().toISOString()}: unexpected byte 0x${hex(1)} at offset ${Math.floor(Math.random() * 65536)}`,
};

let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const item = JSON.parse(input);
  const attempt = Number(process.env.HUB_ITEM_ATTEMPT);
  setTimeout(() => {
    const kind = item.fail ?? (item.flaky && attempt === 1 ? 'timeout' : null);
    if (kind) {
      console.error((ERRORS[kind] ?? (() => `RuntimeError: ${kind}`))(item));
      process.exit(1);
    }
    console.log(JSON.stringify({ n: item.n, square: item.n * item.n, attempt }));
  }, item.ms ?? 0);
});
