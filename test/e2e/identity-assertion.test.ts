import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  type JSONWebKeySet,
  jwtVerify,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../helpers/accounts.js';
import { identityKeyPair, verify } from '../helpers/forward-auth.js';
import { type Gateway, startGateway } from '../helpers/gateway.js';
import { exchange } from '../helpers/http.js';
import { claimsOf } from '../helpers/jwt.js';
import { insertUser } from '../helpers/legacy-users.js';
import { freePort } from '../helpers/ports.js';
import { ensureBuilt, startServerProcess } from '../helpers/server-process.js';

const AUDIENCE = 'storegate-upstream';

async function jwksOf(gw: Gateway): Promise<JSONWebKeySet> {
  const answer = await exchange(`${gw.url}/.well-known/jwks.json`);
  expect(answer.status).toBe(200);
  expect(answer.headers.get('cache-control')).toBe('public, max-age=300');
  return answer.json;
}

let users = 0;
/** A fresh user's assertion from this gateway, with the token it was made for. */
async function assertionFrom(gw: Gateway): Promise<{ assertion: string; token: string; id: number; username: string }> {
  const username = `assert${String(++users).padStart(4, '0')}`;
  const id = await insertUser(gw.db, username);
  const { token } = await login(gw.url, username);
  const answer = await verify(gw.url, { token });
  expect(answer.status).toBe(200);
  const assertion = answer.headers.get('x-auth-identity');
  expect(assertion, 'X-Auth-Identity').toBeTruthy();
  return { assertion: assertion!, token, id, username };
}

describe.each([
  ['Ed25519', 'ed25519', 'EdDSA'],
  ['P-256', 'p256', 'ES256'],
] as const)('the identity assertion signed with %s', (_name, kind, alg) => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ env: { IDENTITY_TOKEN_KEY: identityKeyPair(kind).privatePem } });
  });
  afterAll(async () => gw?.close());

  it(`verifies with jose from the JWKS alone: ${alg}, kid, aud, iss, a 60 s life, the identity claims`, async () => {
    const { assertion, token, id, username } = await assertionFrom(gw);
    const { payload, protectedHeader } = await jwtVerify(assertion, createLocalJWKSet(await jwksOf(gw)), {
      algorithms: [alg],
      audience: AUDIENCE,
      issuer: 'storegate',
      typ: 'JWT',
    });
    expect(protectedHeader).toEqual({ alg, typ: 'JWT', kid: expect.any(String) });
    const sid = claimsOf(token).sid as string | undefined;
    expect(payload).toEqual({
      iss: 'storegate',
      aud: AUDIENCE,
      iat: expect.any(Number),
      exp: payload.iat! + 60,
      sub: String(id),
      username,
      role: 'user',
      // A token without a session claim gives an assertion without one (see the README).
      ...(sid === undefined ? {} : { sid }),
    });
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(5);
  });

  it('verifies as the README shows a service doing it: the JWKS fetched by URL', async () => {
    const { assertion, id } = await assertionFrom(gw);
    const storegateKeys = createRemoteJWKSet(new URL(`${gw.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(assertion, storegateKeys, {
      issuer: 'storegate',
      audience: 'storegate-upstream',
      algorithms: ['EdDSA', 'ES256'],
    });
    expect(Number(payload.sub)).toBe(id);
  });

  it('publishes one public key whose kid is its RFC 7638 thumbprint, and no private part', async () => {
    const { keys } = await jwksOf(gw);
    expect(keys).toHaveLength(1);
    const [key] = keys;
    expect(key).toMatchObject({ alg, use: 'sig', kty: kind === 'ed25519' ? 'OKP' : 'EC' });
    expect(key!.d).toBeUndefined();
    expect(key!.kid).toBe(await calculateJwkThumbprint(key!, 'sha256'));
    const { assertion } = await assertionFrom(gw);
    expect(decodeProtectedHeader(assertion).kid).toBe(key!.kid);
  });

  it('is refused by a verifier expecting another audience, or once it has expired', async () => {
    const { assertion } = await assertionFrom(gw);
    const keys = createLocalJWKSet(await jwksOf(gw));
    await expect(jwtVerify(assertion, keys, { audience: 'another-service' })).rejects.toThrow(/aud/);
    const later = new Date(Date.now() + 61_000);
    await expect(jwtVerify(assertion, keys, { audience: AUDIENCE, currentDate: later })).rejects.toThrow(/exp/);
  });

  it('is fresh for every answer, and absent from every refusal', async () => {
    const { token } = await assertionFrom(gw);
    expect((await verify(gw.url, { token: `${token}x` })).headers.get('x-auth-identity')).toBeNull();
    expect(
      (await verify(gw.url, { token, path: '/auth/verify?role=admin' })).headers.get('x-auth-identity'),
    ).toBeNull();
    expect((await verify(gw.url)).headers.get('x-auth-identity')).toBeNull();
  });
});

describe('key rotation', () => {
  const oldKey = identityKeyPair('ed25519');
  const newKey = identityKeyPair('p256');
  let before: Gateway;
  let after: Gateway;

  beforeAll(async () => {
    before = await startGateway({ env: { IDENTITY_TOKEN_KEY: oldKey.privatePem, IDENTITY_TOKEN_AUDIENCE: 'shop' } });
    // The same deployment restarted: the new key signs, the old one (its private PEM as it was) is retired.
    after = await startGateway({
      shareWith: before,
      env: {
        IDENTITY_TOKEN_KEY: newKey.privatePem,
        IDENTITY_TOKEN_PREVIOUS_KEYS: oldKey.privatePem,
        IDENTITY_TOKEN_AUDIENCE: 'shop',
      },
    });
  });
  afterAll(async () => {
    await after?.close();
    await before?.close();
  });

  it('an assertion signed with the old key still verifies against the JWKS served with the new one', async () => {
    const { assertion, id } = await assertionFrom(before);
    const jwks = createLocalJWKSet(await jwksOf(after));
    const { payload, protectedHeader } = await jwtVerify(assertion, jwks, { audience: 'shop' });
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(payload.sub).toBe(String(id));
    const fresh = await assertionFrom(after);
    expect((await jwtVerify(fresh.assertion, jwks, { audience: 'shop' })).protectedHeader.alg).toBe('ES256');
  });

  it('publishes the signing key first, then the retired ones, each once', async () => {
    const { keys: oldSet } = await jwksOf(before);
    const { keys } = await jwksOf(after);
    expect(keys.map((k) => k.alg)).toEqual(['ES256', 'EdDSA']);
    expect(keys[1]).toEqual(oldSet[0]);
  });

  it('takes retired keys as PEM public or private, one after another, and publishes them all', async () => {
    const third = identityKeyPair('ed25519');
    const gw = await startGateway({
      shareWith: before,
      env: {
        IDENTITY_TOKEN_KEY: newKey.privatePem,
        // The signing key again among the retired ones: published once.
        IDENTITY_TOKEN_PREVIOUS_KEYS: `${oldKey.publicPem}\n${third.privatePem}${newKey.publicPem}`,
      },
    });
    try {
      const { keys } = await jwksOf(gw);
      expect(keys.map((k) => k.kid)).toEqual([
        (await jwksOf(after)).keys[0]!.kid,
        (await jwksOf(before)).keys[0]!.kid,
        expect.any(String),
      ]);
    } finally {
      await gw.close();
    }
  });

  it('no longer verifies what the old key signed once it is dropped from the retired keys', async () => {
    const { assertion } = await assertionFrom(before);
    const dropped = await startGateway({ shareWith: before, env: { IDENTITY_TOKEN_KEY: newKey.privatePem } });
    try {
      const jwks = createLocalJWKSet(await jwksOf(dropped));
      await expect(jwtVerify(assertion, jwks, { audience: 'shop' })).rejects.toThrow(/no applicable key/i);
    } finally {
      await dropped.close();
    }
  });
});

describe('start-up with a bad IDENTITY_TOKEN_KEY', () => {
  it('`node dist/server.js` refuses to start, with one line naming the variable', async () => {
    await ensureBuilt();
    const workDir = await mkdtemp(join(tmpdir(), 'storegate-identity-'));
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    const server = startServerProcess(
      { PORT: String(await freePort()), SQLITE_PATH: join(workDir, 'db.sqlite'), IDENTITY_TOKEN_KEY: String(rsa) },
      workDir,
    );
    try {
      await server.waitFor(/IDENTITY_TOKEN_KEY/);
      // SIGCONT leaves a process that is exiting alone: stop() then only waits for its exit code.
      expect(await server.stop('SIGCONT')).toBe(1);
      expect(server.output()).toBe(
        'Invalid configuration:\n  - IDENTITY_TOKEN_KEY: expected an Ed25519 or P-256 (prime256v1) key in PEM, not an rsa key\n',
      );
    } finally {
      await server.stop('SIGKILL');
      await rm(workDir, { recursive: true, force: true });
    }
  }, 180_000);
});
