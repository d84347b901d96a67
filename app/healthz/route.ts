import { getHub } from '@/lib/server/hub';
import { problem } from '@/lib/http/problem';

/** Liveness for load balancers: no auth, 200 once the database answers. */
export async function GET() {
  try {
    await getHub().store.ping();
    return Response.json({ ok: true }, { headers: { 'cache-control': 'no-store' } });
  } catch {
    return problem(503, 'database-unavailable', 'the database does not answer');
  }
}
