import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A loopback TCP proxy to one server, which a test can cut off like a pulled cable, or freeze. */
export interface TcpProxy {
  port: number;
  /** Drops every connection and stops listening: new connections are refused. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  /** Stops passing bytes either way, connections left open (new ones too): a server that hangs. */
  freeze(): void;
  /** Passes on what was held back, and everything after. */
  thaw(): void;
  close(): Promise<void>;
}

interface Link {
  client: Socket;
  upstream: Socket;
}

export async function startTcpProxy(target: { host: string; port: number }, port = 0): Promise<TcpProxy> {
  const links = new Set<Link>();
  let server: Server | undefined;
  let frozen = false;

  const flow = ({ client, upstream }: Link) => {
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const hold = ({ client, upstream }: Link) => {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  };
  const relay = (client: Socket) => {
    const link = { client, upstream: connect(target) };
    links.add(link);
    for (const socket of [link.client, link.upstream]) {
      socket.on('error', () => undefined);
      socket.once('close', () => {
        link.client.destroy();
        link.upstream.destroy();
        links.delete(link);
      });
    }
    if (frozen) hold(link);
    else flow(link);
  };
  const listen = async (onPort: number) => {
    server = createServer(relay);
    server.listen(onPort, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as { port: number }).port;
  };
  const cut = async () => {
    const closed = server && new Promise((resolve) => server!.close(resolve));
    server = undefined;
    for (const { client, upstream } of links) {
      client.destroy();
      upstream.destroy();
    }
    await closed;
  };

  const boundPort = await listen(port);
  return {
    port: boundPort,
    cut,
    restore: async () => {
      if (!server) await listen(boundPort);
    },
    freeze: () => {
      frozen = true;
      links.forEach(hold);
    },
    thaw: () => {
      frozen = false;
      links.forEach(flow);
    },
    close: cut,
  };
}

/** The same URL, but for the host and port, which become the proxy's. */
export function throughProxy(url: string, proxy: TcpProxy): string {
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  return proxied.toString();
}
