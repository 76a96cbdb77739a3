import { createServer } from 'node:net';

/** A loopback port nothing listens on right now, chosen by the system. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * `count` free loopback ports from `from` upwards; with `busOffset`, port + busOffset must be
 * free too (a Redis Cluster node also listens on its bus port, port + 10000).
 */
export async function freePorts(count: number, from: number, busOffset?: number): Promise<number[]> {
  const ports: number[] = [];
  for (let port = from; ports.length < count && port < from + 1000; port++) {
    if ((await canListen(port)) && (busOffset === undefined || (await canListen(port + busOffset)))) ports.push(port);
  }
  if (ports.length < count) throw new Error(`no ${count} free ports from ${from}`);
  return ports;
}
