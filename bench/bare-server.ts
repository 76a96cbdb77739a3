/**
 * The reference: the gateway's answers to `me` over REST and GraphQL and to `/auth/verify` on bare
 * node:http, doing the gateway's checks (me-work.ts) and nothing else, as fast as it honestly
 * can. The bench compares its answers with the gateway's before measuring (answers.ts).
 * Configured through the gateway's variables, plus PORT.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type Caller, meWork, Refused, required } from './me-work.js';

import { ME_QUERY } from './targets.js';

const { caller, close } = meWork();

const JSON_TYPE = 'application/json; charset=utf-8';
const UNAUTHENTICATED = '{"message":"Unauthenticated."}';
const q = JSON.stringify;

function send(res: ServerResponse, status: number, json: string): void {
  res.writeHead(status, {
    'content-type': JSON_TYPE,
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

/** The legacy envelope of `me`, its fields in the gateway's order; the dates are the columns' text in the session's zone. */
function restMe({ user: u }: Caller): string {
  return (
    `{"data":{"id":${u[0]},"name":${q(u[1])},"username":${q(u[2])},"email":${q(u[3])},` +
    `"email_verified_at":${q(u[4])},"phone":${q(u[5])},"invitation_code":${q(u[6])},"status":${u[7]},` +
    `"created_at":${q(u[10])},"updated_at":${q(u[11])}},"code":20001,"msg":"操作成功"}`
  );
}

/** Apollo ends its JSON with a newline. */
function graphqlMe({ user: u }: Caller): string {
  return `{"data":{"me":{"id":"${u[0]}","username":${q(u[2])},"name":${q(u[1])}}}}\n`;
}

const GRAPHQL_UNAUTHENTICATED =
  '{"errors":[{"message":"A valid access token is required.","locations":[{"line":1,"column":3}],"path":["me"],' +
  '"extensions":{"code":"UNAUTHENTICATED","legacyCode":40005}}],"data":null}\n';

function refused(res: ServerResponse, err: unknown, status: number, unauthenticated: string): void {
  if (err instanceof Refused && err.status === 401) send(res, status, unauthenticated);
  else send(res, err instanceof Refused ? 503 : 500, '{"message":"Service Unavailable."}');
}

function verify(req: IncomingMessage, res: ServerResponse): void {
  caller(req.headers.authorization).then(
    ({ user, sessionId }) => {
      res.writeHead(200, {
        'cache-control': 'no-store',
        'x-auth-user-id': String(user[0]),
        'x-auth-username': encodeURIComponent(user[2]),
        'x-auth-role': encodeURIComponent(user[9]),
        'x-auth-session-id': sessionId,
        'content-length': 0,
      });
      res.end();
    },
    (err: unknown) => {
      if (err instanceof Refused && err.status === 401) res.setHeader('www-authenticate', 'Bearer');
      refused(res, err, 401, UNAUTHENTICATED);
    },
  );
}

function graphql(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let query: unknown;
    try {
      query = (JSON.parse(Buffer.concat(chunks).toString()) as { query?: unknown }).query;
    } catch {
      query = undefined;
    }
    if (query !== ME_QUERY) return send(res, 400, '{"errors":[{"message":"only the bench\'s me query"}]}');
    caller(req.headers.authorization).then(
      (found) => send(res, 200, graphqlMe(found)),
      (err: unknown) => refused(res, err, 200, GRAPHQL_UNAUTHENTICATED),
    );
  });
}

const server = createServer((req, res) => {
  const url = req.url ?? '';
  if (url === '/api/auth/me' && req.method === 'GET') {
    caller(req.headers.authorization).then(
      (found) => send(res, 200, restMe(found)),
      (err: unknown) => refused(res, err, 401, UNAUTHENTICATED),
    );
  } else if (url === '/graphql' && req.method === 'POST') graphql(req, res);
  else if (url === '/auth/verify') verify(req, res);
  else send(res, 404, '{"message":"Not Found"}');
});

server.listen(Number(required('PORT')), '127.0.0.1');
process.once('SIGTERM', () => {
  server.close();
  void close().finally(() => process.exit(0));
});
