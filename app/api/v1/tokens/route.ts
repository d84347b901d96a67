import { randomBytes } from 'node:crypto';
import { IssueTokenBody } from '@/lib/contracts';
import { hashToken, ISSUED_PREFIX } from '@/lib/http/auth';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: {
    need: 'operator',
    handle: async ({ hub }) => json({ tokens: await hub.store.listTokens() }),
  },
  POST: {
    need: 'operator',
    handle: async ({ hub, body, actor }) => {
      const { name, role, worker_id } = await body(IssueTokenBody);
      // 32 random bytes: the secret is shown in this answer only; the store keeps its SHA-256.
      const token = ISSUED_PREFIX + randomBytes(32).toString('base64url');
      const info = await hub.store.issueToken({ name, role, tokenHash: hashToken(token), workerId: worker_id ?? null }, actor);
      return json({ ...info, token }, 201);
    },
  },
});
