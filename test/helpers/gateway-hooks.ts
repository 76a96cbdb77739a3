import { afterAll, beforeAll } from 'vitest';
import { type Gateway, type GatewayOptions, startGateway } from './gateway.js';

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
