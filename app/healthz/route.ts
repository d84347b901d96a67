import { getHub } from '@/lib/server/hub';
import { problem } from '@/lib/http/problem';
import { toResponse } from '@/lib/http/reply';

/** Liveness for load balancers: no auth, 200 once the database answers. */
export async function GET() {
  try {
    await getHub().store.ping();
    return Response.json({ ok: true }, { headers: { 'cache-control': 'no-store' } });
  } catch {
    return toResponse(problem(503, 'database-unavailable', 'the database does not answer'));
  }
}
