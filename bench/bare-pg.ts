/**
 * The PostgreSQL baseline: a bare node-postgres queue in its own table of the same database, one
 * index, claiming with the single `UPDATE … WHERE id = ANY(ARRAY(SELECT … LIMIT n FOR UPDATE SKIP
 * LOCKED)) RETURNING` statement and completing by id (a batch with one `UPDATE … WHERE id =
 * ANY($1)`), each in its own autocommit transaction.
 */
import pg from 'pg';

const TABLE = 'bench_bare_queue';

/** Creates the queue table empty (dropping an earlier run's). */
export async function resetBarePg(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await client.query(`CREATE TABLE ${TABLE} (id bigserial PRIMARY KEY, pool text NOT NULL, data jsonb NOT NULL,
    status text NOT NULL, claimed_by text, result jsonb)`);
  await client.query(`CREATE INDEX ${TABLE}_pool_status_id ON ${TABLE} (pool, status, id)`);
  await client.end();
}

export async function openBarePg(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    push: async (pool: string, datas: unknown[]) => {
      await client.query(`INSERT INTO ${TABLE} (pool, data, status) SELECT $1, d, 'pending' FROM jsonb_array_elements($2::jsonb) d`, [
        pool,
        JSON.stringify(datas),
      ]);
    },
    claim: async (pool: string, worker: string, limit = 1) =>
      (
        await client.query<{ id: string; data: unknown }>(
          `UPDATE ${TABLE} SET status = 'claimed', claimed_by = $1 WHERE id = ANY(ARRAY(
             SELECT id FROM ${TABLE} WHERE pool = $2 AND status = 'pending' ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED))
           RETURNING *`,
          [worker, pool, limit],
        )
      ).rows,
    complete: async (ids: string[], worker: string, result: unknown) =>
      (
        await client.query(`UPDATE ${TABLE} SET status = 'completed', result = $1 WHERE id = ANY($2::bigint[]) AND claimed_by = $3`, [
          JSON.stringify(result),
          ids,
          worker,
        ])
      ).rowCount,
    close: () => client.end(),
  };
}
