/**
 * The framework-free baseline of the HTTP benchmark: node:http + the bare better-sqlite3 queue,
 * one item per request (POST /push {data}, POST /claim {worker_id}, POST /complete {id,
 * worker_id, result}). Prints `listening PORT`. Usage: tsx bench/bare-http.ts FILE
 */
import { createServer } from 'node:http';
import { openBare } from './bare-sqlite';

const q = openBare(process.argv[2]!);
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    let out: unknown;
    if (req.url === '/push') out = { id: String(q.push('bench', [body.data])[0]) };
    else if (req.url === '/claim') {
      const it = q.claim('bench', body.worker_id);
      out = { items: it ? [{ id: String(it.id), data: JSON.parse(it.data) }] : [] };
    } else if (req.url === '/complete') out = { changed: q.complete(Number(body.id), body.worker_id, body.result) };
    else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
  });
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
