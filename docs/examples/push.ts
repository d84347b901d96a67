import { HubClient } from '../../lib/sdk';

const hub = new HubClient({ url: process.env.HUB_URL ?? 'http://127.0.0.1:3000', token: process.env.HUB_TOKEN });

async function main() {
  // One item, or up to 1000 in one request. max_retries: attempts before the item is poisoned.
  const id = await hub.push('thumbnails', { image: 'cat.png', width: 128 });
  const ids = await hub.pushMany('thumbnails', [
    { data: { image: 'dog.png', width: 64 } },
    { data: { image: 'missing.png', width: 64 }, max_retries: 2 },
  ]);
  console.log('pushed', [id, ...ids]);
  console.log(await hub.getPool('thumbnails')); // { name, pending: 3, claimed: 0, ... }
}

main();
