import { Agent } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { useGateway } from '../helpers/gateway-hooks.js';
import { ops } from '../helpers/graphql.js';
import { exchange } from '../helpers/http.js';
import { times } from '../helpers/races.js';
import { median } from '../helpers/timing.js';

const CLIENTS = 60;
/** RATE_LIMIT_SIGN's default: every client stays inside its per-IP limit. */
const PER_CLIENT = 10;
const ROUNDS = 2;

describe('a flood of captchas from many clients inside their limits does not hold up other requests', () => {
  // Behind a proxy on loopback: each forwarded address is a client of its own.
  const gateway = useGateway({ env: { TRUST_PROXY: '127.0.0.1', RATE_LIMIT_SIGN: String(PER_CLIENT) } });
  const agent = new Agent({ keepAlive: true, maxSockets: 200 });
  afterAll(() => agent.destroy());

  const graphqlFrom = (client: string, query: string) =>
    exchange(`${gateway().url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
      body: JSON.stringify({ query }),
      from: '127.0.0.1',
      agent,
      timeoutMs: 90_000,
    });

  /**
   * Sends CLIENTS × PER_CLIENT operations at once and, while they run, one /healthz after another:
   * the slowest /healthz answer, in milliseconds.
   */
  async function slowestHealthzDuring(burst: () => Promise<unknown>[]): Promise<number> {
    let done = false;
    const all = Promise.all(burst()).finally(() => {
      done = true;
    });
    const probes: number[] = [];
    while (!done) probes.push((await exchange(`${gateway().url}/healthz`, { timeoutMs: 90_000 })).ms);
    await all;
    return Math.max(...probes);
  }

  it('600 captchas from 60 addresses delay /healthz no more than 3× as long as 600 cheap queries do', async () => {
    const captchas = (round: number) => () =>
      times(CLIENTS * PER_CLIENT, (i) =>
        graphqlFrom(`198.18.${round}.${i % CLIENTS}`, ops.captcha).then((answer) => {
          expect(answer.json?.data?.requestCaptcha?.imageDataUrl, answer.text).toMatch(/^data:image\/png;base64,/);
        }),
      );
    const cheapQueries =
      (round: number, count = CLIENTS * PER_CLIENT) =>
      () =>
        times(count, (i) =>
          graphqlFrom(`198.19.${round}.${i % CLIENTS}`, ops.responseCodes).then((answer) => {
            expect(answer.json?.data?.responseCodes, answer.text).toBeDefined();
          }),
        );

    await slowestHealthzDuring(cheapQueries(99, CLIENTS)); // warms up connections, the worker threads and the JIT
    const withCaptchas: number[] = [];
    const withQueries: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      withCaptchas.push(await slowestHealthzDuring(captchas(round)));
      withQueries.push(await slowestHealthzDuring(cheapQueries(round)));
    }

    const figures = `slowest /healthz in ms, during captchas ${withCaptchas.map(Math.round)}, during queries ${withQueries.map(Math.round)}`;
    expect(median(withCaptchas) / median(withQueries), figures).toBeLessThan(3);
  }, 240_000);
});
