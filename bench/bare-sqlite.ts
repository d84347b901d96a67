/**
 * The physical limit the hub is measured against: a bare better-sqlite3 queue on the same
 * machine, with the same pragmas, one table and one index, claiming with the single
 * `UPDATE … WHERE id IN (SELECT … LIMIT 1) RETURNING` statement and completing by id.
 */
import Database from 'better-sqlite3';

export function openBare(file: string) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE IF NOT EXISTS q (
    id INTEGER PRIMARY KEY AUTOINCREMENT, pool TEXT NOT NULL, data TEXT NOT NULL,
    status TEXT NOT NULL, claimed_by TEXT, result TEXT);
    CREATE INDEX IF NOT EXISTS q_pool_status_id ON q (pool, status, id);`);
  const insert = db.prepare(`INSERT INTO q (pool, data, status) VALUES (?, ?, 'pending')`);
  const claim = db.prepare(
    `UPDATE q SET status = 'claimed', claimed_by = ? WHERE id IN
       (SELECT id FROM q WHERE pool = ? AND status = 'pending' ORDER BY id LIMIT 1) RETURNING *`,
  );
  const complete = db.prepare(`UPDATE q SET status = 'completed', result = ? WHERE id = ? AND claimed_by = ?`);
  return {
    db,
    push: db.transaction((pool: string, datas: unknown[]) => datas.map((d) => insert.run(pool, JSON.stringify(d)).lastInsertRowid)),
    claim: (pool: string, worker: string) => claim.get(worker, pool) as { id: number; data: string } | undefined,
    complete: (id: number, worker: string, result: unknown) => complete.run(JSON.stringify(result), id, worker).changes,
    pending: (pool: string) => (db.prepare(`SELECT count(*) n FROM q WHERE pool = ? AND status = 'pending'`).get(pool) as { n: number }).n,
    close: () => db.close(),
  };
}
