import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../helpers/accounts.js';
import { errorOf } from '../helpers/attempts.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { gql, ops } from '../helpers/graphql.js';
import { insertUser } from '../helpers/legacy-users.js';
import {
  type MysqlCommand,
  type MysqlCommandLog,
  startMysqlCommandLog,
  throughCommandLog,
} from '../helpers/mysql-command-log.js';
import { freePort, type RedisServer, startRedisServer } from '../helpers/redis-server.js';
import { TEST_MYSQL_URL } from '../helpers/services-env.js';

/** A store command as MONITOR shows it; `lua` when a script ran it, not a client. */
interface StoreCommand {
  source: string;
  args: string[];
}

/** Lets MONITOR's lines and the proxy's packets of a finished request arrive. */
const SETTLE_MS = 200;

/**
 * The round trips of one `me`, seen from outside: MONITOR on the test's own Redis (no other
 * client on it), and a proxy in front of MariaDB that logs every command the gateway sends.
 */
describe('the round trips of one me', () => {
  let redis: RedisServer;
  let monitor: Redis;
  let mysqlLog: MysqlCommandLog;
  const storeCommands: StoreCommand[] = [];
  const gateways: Gateway[] = [];

  beforeAll(async () => {
    redis = await startRedisServer(await freePort());
    const server = new URL(TEST_MYSQL_URL);
    mysqlLog = await startMysqlCommandLog({ host: server.hostname, port: Number(server.port || 3306) });
    monitor = await new Redis(redis.url).monitor();
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      storeCommands.push({ source, args });
    });
  });
  afterAll(async () => {
    for (const gw of gateways) await gw.close();
    monitor?.disconnect();
    await mysqlLog?.close();
    await redis?.stop();
  });

  /** What one `me` sent to each, after a first one warmed the connections and the script cache. */
  async function oneMe(env: Record<string, string>, username: string) {
    const gw = await startGateway({
      env: { REDIS_URL: redis.url, ...env },
      connectVia: (url) => throughCommandLog(url, mysqlLog),
    });
    gateways.push(gw);
    await insertUser(gw.db, username);
    const { token } = await login(gw.url, username);
    expect(errorOf(await gql(gw.url, ops.me, {}, token))).toBeUndefined();
    await gw.app.services.audit.flush();
    await sleep(SETTLE_MS);

    storeCommands.length = 0;
    mysqlLog.clear();
    const answer = await gql(gw.url, ops.me, {}, token);
    await sleep(SETTLE_MS);
    expect(errorOf(answer)).toBeUndefined();
    expect(answer.data!.me.username).toBe(username);
    const store = [...storeCommands];
    const database: MysqlCommand[] = mysqlLog.commands();
    const lines = store.map(({ source, args }) => `  redis ${source === 'lua' ? '  (lua)' : ''} ${args.join(' ')}`);
    console.info(
      `one me, ${JSON.stringify(env)}:\n${[...lines, ...database.map((c) => `  mysql ${c.command}`)].join('\n')}`,
    );
    return { gw, store, database, roundTrips: store.filter((command) => command.source !== 'lua') };
  }

  it('access limit off: one store command, the revocation read (EVALSHA), and one database query', async () => {
    const { gw, store, database, roundTrips } = await oneMe({ RATE_LIMIT_ACCESS: '0' }, 'roundtrip01');
    expect(roundTrips).toHaveLength(1);
    const [evalsha] = roundTrips;
    const prefix = gw.redisPrefix;
    expect(evalsha!.args[0]!.toLowerCase()).toBe('evalsha');
    // Two keys, the marker and the session's hash; two fields, the session and the token.
    expect(evalsha!.args.slice(2, 4)).toEqual(['2', `${prefix}rv:intact`]);
    expect(evalsha!.args[4]).toMatch(new RegExp(`^${prefix}rv:[0-9a-z]+:[0-9a-f]$`));
    expect(evalsha!.args.slice(5).map((field) => field[0])).toEqual(['s', 't']);
    // Inside the script: the marker and the hash's fields, nothing else.
    expect(store.filter((c) => c.source === 'lua').map((c) => c.args[0]!.toLowerCase())).toEqual(['hmget', 'get']);
    expect(database).toEqual([{ command: 'STMT_EXECUTE' }]);
  });

  it('access limit on (the default, 60 a minute): the throttle adds its own command, nothing else', async () => {
    const { roundTrips, database } = await oneMe({ RATE_LIMIT_ACCESS: '60' }, 'roundtrip02');
    expect(roundTrips).toHaveLength(2);
    expect(roundTrips[0]!.args[0]!.toLowerCase()).toBe('evalsha');
    expect(roundTrips[1]!.args.join(' ')).toMatch(/ \S*throttle:access:+user:\d+ /);
    expect(database).toEqual([{ command: 'STMT_EXECUTE' }]);
  });
});
