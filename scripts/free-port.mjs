import { createServer } from 'node:net';

/** A port of 127.0.0.1 free right now, so that a second checkout's run on this machine cannot collide with ours. */
export const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
