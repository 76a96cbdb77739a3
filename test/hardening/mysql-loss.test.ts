import { afterAll, beforeAll, describe, it } from 'vitest';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import {
  expectFailingFastAndClosed,
  expectRevocationsKept,
  expectServingAgain,
  openSessions,
  type Sessions,
} from '../helpers/outage.js';
import { TEST_MYSQL_URL } from '../helpers/services-env.js';
import { startTcpProxy, type TcpProxy, throughProxy } from '../helpers/tcp-proxy.js';
import { bothTransports } from '../helpers/transports.js';

/** A captcha lives in Redis only. */
const UNAFFECTED = { unaffected: ['captcha'] };

describe('losing MySQL', () => {
  let proxy: TcpProxy;
  let gw: Gateway;

  beforeAll(async () => {
    const mysql = new URL(TEST_MYSQL_URL);
    proxy = await startTcpProxy({ host: mysql.hostname, port: Number(mysql.port || 3306) });
    gw = await startGateway({ connectVia: (url) => throughProxy(url, proxy) });
  });
  afterAll(async () => {
    proxy?.thaw();
    await proxy?.restore();
    await gw?.close();
    await proxy?.close();
  });

  const openAllSessions = (): Promise<Sessions[]> =>
    Promise.all(bothTransports(gw.url).map((transport) => openSessions(gw, transport)));

  it('cut off: fails fast and closed, and serves again by itself once it is back', async () => {
    const sessions = await openAllSessions();
    await proxy.cut();
    await expectFailingFastAndClosed(sessions, 'mysql', UNAFFECTED);

    await proxy.restore();
    await expectServingAgain(sessions);
    await expectRevocationsKept(sessions);
  });

  it('hanging with its connections open: fails fast and closed, and serves again once it answers', async () => {
    const sessions = await openAllSessions();
    proxy.freeze();
    try {
      await expectFailingFastAndClosed(sessions, 'mysql', UNAFFECTED);
    } finally {
      proxy.thaw();
    }
    await expectServingAgain(sessions);
    await expectRevocationsKept(sessions);
  });
});
