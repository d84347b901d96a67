// The demo's worker command: reads one item's data as JSON on stdin, works for a moment, and
// prints a JSON result, or fails (exit 1) when the item asks for it, or on a flaky item's first attempt.
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const item = JSON.parse(input);
  const attempt = Number(process.env.HUB_ITEM_ATTEMPT);
  setTimeout(() => {
    if (item.fail) {
      console.error(`item ${process.env.HUB_ITEM_ID}: ${item.fail}`);
      process.exit(1);
    }
    if (item.flaky && attempt === 1) {
      console.error(`item ${process.env.HUB_ITEM_ID}: flaky, failing its first attempt`);
      process.exit(2);
    }
    console.log(JSON.stringify({ n: item.n, square: item.n * item.n, attempt }));
  }, item.ms ?? 0);
});
