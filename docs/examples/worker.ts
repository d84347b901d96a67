import { runWorker } from '../../lib/sdk';

runWorker({
  url: process.env.HUB_URL ?? 'http://127.0.0.1:3000',
  token: process.env.HUB_TOKEN,
  pool: 'thumbnails',
  concurrency: 4, // claims up to 4 items at a time and runs them side by side
  exitWhenEmpty: true, // leave out to keep waiting for work
  // The return value completes the item (as its result); a throw fails it with the message.
  handler: async (item) => {
    const { image, width } = item.data as { image: string; width: number };
    if (image.startsWith('missing')) throw new Error(`${image}: no such file`);
    return { thumbnail: `${image.replace('.png', '')}-${width}.png` };
  },
}).then((summary) => console.log(summary)); // { workerId, reason: 'empty', completed: 2, failed: 2, conflicts: 0 }
