import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README_ADDRESSES, storegateSite } from '../helpers/nginx-site.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README: putting services behind storegate', () => {
  it('shows, word for word, the nginx site the end-to-end test runs', () => {
    const blocks = [...readme.matchAll(/```nginx\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks).toContain(storegateSite(README_ADDRESSES));
  });

  it('names every variable and header of the forward-auth set-up', () => {
    for (const name of ['X-Auth-User-Id', 'X-Auth-Username', 'X-Auth-Role', 'X-Auth-Session-Id', 'X-Auth-Identity']) {
      expect(readme).toContain(name);
    }
    for (const proxy of ['auth_request', 'forwardAuth', 'ext_authz']) expect(readme).toContain(`(\`${proxy}`);
  });
});
