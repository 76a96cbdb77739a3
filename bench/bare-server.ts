/**
 * The baseline: the gateway's `me` work on bare node:http with nothing else, so the gateway's
 * ratio to it is its own overhead. Configured through the gateway's variables, plus PORT.
 */
import { createServer, type ServerResponse } from 'node:http';
import { meWork, required } from './me-work.js';

const { currentUser, close } = meWork();

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

const server = createServer((req, res) => {
  currentUser(req.headers.authorization).then(
    (user) => (user ? send(res, 200, user) : send(res, 401, { message: 'Unauthenticated.' })),
    () => send(res, 500, { message: 'Server Error' }),
  );
});

server.listen(Number(required('PORT')), '127.0.0.1');
process.once('SIGTERM', () => {
  server.close();
  void close().finally(() => process.exit(0));
});
