import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { send } from '../helpers/http.js';

const CHROMIUM = '/usr/bin/chromium';
const NO_CHROMIUM = `${CHROMIUM} is missing (Debian's chromium package: apt-get install -y chromium)`;
const SANDBOX_CDN = 'https://embeddable-sandbox.cdn.apollographql.com/';

/** What a browser asks for first: HTML. */
const asBrowser = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

async function landingPageServed(gateway: Gateway): Promise<boolean> {
  const answer = await send(`${gateway.url}/graphql`, { headers: asBrowser });
  return answer.status === 200 && answer.text.includes('<title>Apollo Server</title>');
}

describe('Apollo Sandbox landing page in headless Chromium', () => {
  let gateway: Gateway;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;
  /** Requests the page tried to send off this machine: refused, as they would fail offline. */
  const offMachine: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) return;
    gateway = await startGateway();
    profile = await mkdtemp(join(tmpdir(), 'storegate-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    await browser.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      offMachine.push(url.href);
      return route.abort('internetdisconnected');
    });
    page = await browser.newPage();
    await page.goto(`${gateway.url}/graphql`, { waitUntil: 'load' });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
    await gateway?.close();
  });
  beforeEach((context) => context.skip(!existsSync(CHROMIUM), NO_CHROMIUM));

  it("is Apollo Server's landing page with the Sandbox embed container", async () => {
    expect(await page.title()).toBe('Apollo Server');
    expect(await page.locator('#embeddableSandbox').count()).toBe(1);
    await expect(page.getByText('Welcome to Apollo Server').isVisible()).resolves.toBe(true);
  });

  it("loads the Sandbox embed from Apollo's CDN, which is out of reach here", async () => {
    const scripts = await page.locator('script[src]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('src')));
    expect(scripts).toEqual([expect.stringMatching(new RegExp(`^${SANDBOX_CDN}.+\\.js`))]);
    expect(offMachine).toContain(scripts[0]);
  });

  it('points the Sandbox at this endpoint, without sending cookies', async () => {
    const config = await page.evaluate(() => {
      const w = globalThis as unknown as { embeddedSandboxConfig: Record<string, any>; initialEndpoint: string };
      return { ...w.embeddedSandboxConfig, initialEndpoint: w.initialEndpoint };
    });
    expect(config).toMatchObject({
      target: '#embeddableSandbox',
      initialEndpoint: `${gateway.url}/graphql`,
      initialState: { includeCookies: false },
    });
  });

  it('lets the page run operations against /graphql, as the Sandbox does', async () => {
    const answer = await page.evaluate(async () => {
      const response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ responseCodes { code } }' }),
      });
      return { status: response.status, body: (await response.json()) as { data: { responseCodes: unknown[] } } };
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data.responseCodes).toContainEqual({ code: 20001 });
  });
});

describe('Apollo Sandbox in production', () => {
  it('is off by default: GET /graphql from a browser gets no landing page', async () => {
    const gateway = await startGateway({ env: { NODE_ENV: 'production' } });
    try {
      expect(await landingPageServed(gateway)).toBe(false);
    } finally {
      await gateway.close();
    }
  });

  it('is on when GRAPHQL_SANDBOX=true', async () => {
    const gateway = await startGateway({ env: { NODE_ENV: 'production', GRAPHQL_SANDBOX: 'true' } });
    try {
      expect(await landingPageServed(gateway)).toBe(true);
    } finally {
      await gateway.close();
    }
  });
});
