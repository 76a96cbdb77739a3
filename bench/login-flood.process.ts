// The login flood's own process: the order comes as JSON on stdin, the result goes as JSON to stdout.
import { text } from 'node:stream/consumers';
import { runLoad } from './load.js';
import { type Credentials, loginGraphql, loginRest } from './targets.js';

export interface FloodOrder {
  transport: 'rest' | 'graphql';
  url: string;
  logins: Credentials[];
  connections: number;
  durationSeconds: number;
}

const order = JSON.parse(await text(process.stdin)) as FloodOrder;
const target = order.transport === 'rest' ? loginRest(order.url, order.logins) : loginGraphql(order.url, order.logins);
const result = await runLoad({
  ...target,
  connections: order.connections,
  durationSeconds: order.durationSeconds,
  timeoutSeconds: 30,
});
process.stdout.write(JSON.stringify(result));
