import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A command a client sent to MySQL: its name and, for a query or a prepare, its SQL. */
export interface MysqlCommand {
  command: string;
  sql?: string;
}

const COMMANDS: Record<number, string> = {
  1: 'QUIT',
  2: 'INIT_DB',
  3: 'QUERY',
  14: 'PING',
  22: 'STMT_PREPARE',
  23: 'STMT_EXECUTE',
  25: 'STMT_CLOSE',
  26: 'STMT_RESET',
  31: 'RESET_CONNECTION',
};
const WITH_SQL = new Set([0x03, 0x16]);

/**
 * A loopback proxy in front of MySQL that writes down each command its clients send: a packet
 * is 3 bytes of length, 1 of sequence and the payload, and a command is a packet of sequence 0
 * (the handshake's packets have others). Unencrypted connections only, as the tests' are.
 */
export interface MysqlCommandLog {
  port: number;
  /** The commands since the last `clear()`. */
  commands(): MysqlCommand[];
  clear(): void;
  close(): Promise<void>;
}

export async function startMysqlCommandLog(target: { host: string; port: number }): Promise<MysqlCommandLog> {
  let seen: MysqlCommand[] = [];
  const sockets = new Set<Socket>();
  const watch = (client: Socket) => {
    const upstream = connect(target);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('close', () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(socket);
      });
    }
    let buffered = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4) {
        const length = buffered.readUIntLE(0, 3);
        if (buffered.length < 4 + length) break;
        const sequence = buffered[3];
        const payload = buffered.subarray(4, 4 + length);
        if (sequence === 0 && length > 0) {
          const code = payload[0]!;
          const command: MysqlCommand = { command: COMMANDS[code] ?? `0x${code.toString(16)}` };
          if (WITH_SQL.has(code)) command.sql = payload.subarray(1).toString('utf8');
          seen.push(command);
        }
        buffered = buffered.subarray(4 + length);
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
  };
  const server: Server = createServer(watch).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    commands: () => [...seen],
    clear: () => {
      seen = [];
    },
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** The same database URL, through the command log. */
export function throughCommandLog(url: string, log: MysqlCommandLog): string {
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(log.port);
  return proxied.toString();
}
