import { HubRegistrationBackend, HubWorkBackend } from '../../lib/sdk';

// Where flatmachines code made `new SQLiteRegistrationBackend(...)` and `new SQLiteWorkBackend(...)`:
const options = { url: process.env.HUB_URL ?? 'http://127.0.0.1:3000', token: process.env.HUB_TOKEN };
const registration = new HubRegistrationBackend(options);
const work = new HubWorkBackend(options);

async function main() {
  const pool = work.pool('papers');
  await pool.push({ paper: 'arxiv:2401.00001' }, { max_retries: 3 });

  // One ephemeral worker, as DistributedWorkerHooks runs it.
  await registration.register({ worker_id: 'analyzer-1', started_at: new Date().toISOString() });
  const job = await pool.claim('analyzer-1');
  if (job) {
    await registration.heartbeat('analyzer-1', { current: job.id });
    await pool.complete(job.id, { summary: `read ${job.data.paper}` }); // fenced by the claim's lease
  }
  await registration.updateStatus('analyzer-1', 'terminated');
  console.log('pending papers:', await pool.size());
}

main();
