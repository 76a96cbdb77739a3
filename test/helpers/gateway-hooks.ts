import { afterAll, beforeAll } from 'vitest';
import { type Gateway, type GatewayOptions, startGateway } from './gateway.js';
import { TEST_MYSQL_URL } from './services-env.js';
import { startTcpProxy, type TcpProxy, throughProxy } from './tcp-proxy.js';

/**
 * Starts a gateway before the enclosing describe block's tests and closes it after; the returned
 * getter reads it inside tests. `options` may be a function, to share another gateway started earlier.
 */
export function useGateway(options: GatewayOptions | (() => GatewayOptions) = {}): () => Gateway {
  let gateway: Gateway | undefined;
  beforeAll(async () => {
    gateway = await startGateway(typeof options === 'function' ? options() : options);
  });
  afterAll(async () => gateway?.close());
  return () => {
    if (!gateway) throw new Error('the gateway has not started');
    return gateway;
  };
}

/**
 * A gateway whose MySQL connections pass through a loopback TCP proxy, which the tests cut off
 * or freeze; the proxy is mended before the gateway closes.
 */
export function useGatewayBehindMysqlProxy(): { gw: () => Gateway; proxy: () => TcpProxy } {
  let proxy: TcpProxy | undefined;
  let gateway: Gateway | undefined;
  beforeAll(async () => {
    const mysql = new URL(TEST_MYSQL_URL);
    const started = await startTcpProxy({ host: mysql.hostname, port: Number(mysql.port || 3306) });
    proxy = started;
    gateway = await startGateway({ connectVia: (url) => throughProxy(url, started) });
  });
  afterAll(async () => {
    proxy?.thaw();
    await proxy?.restore();
    await gateway?.close();
    await proxy?.close();
  });
  return { gw: () => started(gateway, 'the gateway'), proxy: () => started(proxy, 'the MySQL proxy') };
}

function started<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} has not started`);
  return value;
}
