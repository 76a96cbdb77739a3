import { describe, it } from 'vitest';
import { useGatewayBehindMysqlProxy } from '../helpers/gateway-hooks.js';
import {
  expectFailingFastAndClosed,
  expectRevocationsKept,
  expectServingAgain,
  openSessions,
  type Sessions,
} from '../helpers/outage.js';
import { bothTransports } from '../helpers/transports.js';

/** A captcha lives in Redis only. */
const UNAFFECTED = { unaffected: ['captcha'] };

describe('losing MySQL', () => {
  const { gw, proxy } = useGatewayBehindMysqlProxy();

  const openAllSessions = (): Promise<Sessions[]> =>
    Promise.all(bothTransports(gw().url).map((transport) => openSessions(gw(), transport)));

  it('cut off: fails fast and closed, and serves again by itself once it is back', async () => {
    const sessions = await openAllSessions();
    await proxy().cut();
    await expectFailingFastAndClosed(sessions, 'mysql', UNAFFECTED);

    await proxy().restore();
    await expectServingAgain(sessions);
    await expectRevocationsKept(sessions);
  });

  it('hanging with its connections open: fails fast and closed, and serves again once it answers', async () => {
    const sessions = await openAllSessions();
    proxy().freeze();
    try {
      await expectFailingFastAndClosed(sessions, 'mysql', UNAFFECTED);
    } finally {
      proxy().thaw();
    }
    await expectServingAgain(sessions);
    await expectRevocationsKept(sessions);
  });
});
