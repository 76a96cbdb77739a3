import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';

export interface EchoedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Bytes of body received. */
  bodyBytes: number;
}

/** A service behind the proxy: it answers every request with what it received, as JSON, and keeps a list. */
export interface EchoUpstream {
  /** host:port */
  address: string;
  requests: EchoedRequest[];
  close(): Promise<void>;
}

export async function startEchoUpstream(): Promise<EchoUpstream> {
  const requests: EchoedRequest[] = [];
  const server = createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
    req.on('end', () => {
      const echoed = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes };
      requests.push(echoed);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(echoed));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
