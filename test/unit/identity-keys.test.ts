import { createPrivateKey, generateKeyPairSync, verify } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { describe, expect, it } from 'vitest';
import { parsePublishedKeys, parseSigningKey } from '../../src/auth/identity-keys.js';
import { loadConfig } from '../../src/config.js';
import { identitySigner } from '../../src/forward-auth/identity-token.js';
import { configProblems as problemsOf } from '../helpers/failures.js';
import { identityKeyPair } from '../helpers/forward-auth.js';

const pem = { type: 'pkcs8', format: 'pem' } as const;
const spki = { type: 'spki', format: 'pem' } as const;

/** Keys of every kind an operator might paste by mistake, PEM. */
const WRONG_KINDS = {
  'an rsa key': () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export(pem) as string,
  'an EC secp384r1 key': () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export(pem) as string,
  'an EC secp256k1 key': () => generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export(pem) as string,
  'an ed448 key': () => generateKeyPairSync('ed448').privateKey.export(pem) as string,
  'an x25519 key': () => generateKeyPairSync('x25519').privateKey.export(pem) as string,
};

describe('IDENTITY_TOKEN_KEY', () => {
  it('is optional: without it no key signs, none is published, the audience defaults', () => {
    expect(loadConfig({}).identity).toEqual({
      signingKey: undefined,
      previousKeys: [],
      audience: 'storegate-upstream',
      issuer: 'storegate',
    });
  });

  it.each([
    ['Ed25519, PKCS #8', () => identityKeyPair('ed25519').privatePem, 'EdDSA'],
    ['P-256, PKCS #8', () => identityKeyPair('p256').privatePem, 'ES256'],
    [
      'P-256, SEC 1 (openssl ecparam -genkey)',
      () => createPrivateKey(identityKeyPair('p256').privatePem).export({ type: 'sec1', format: 'pem' }) as string,
      'ES256',
    ],
    [
      'Ed25519 on one line with \\n escapes',
      () => identityKeyPair('ed25519').privatePem.replace(/\n/g, '\\n'),
      'EdDSA',
    ],
  ])('accepts %s', (_name, key, alg) => {
    const { signingKey } = loadConfig({ IDENTITY_TOKEN_KEY: key() }).identity;
    expect(signingKey?.alg).toBe(alg);
  });

  it.each(Object.entries(WRONG_KINDS))('refuses %s, in one line naming the variable and the kind', (kind, key) => {
    const problems = problemsOf({ IDENTITY_TOKEN_KEY: key() });
    expect(problems).toEqual([`IDENTITY_TOKEN_KEY: expected an Ed25519 or P-256 (prime256v1) key in PEM, not ${kind}`]);
  });

  it.each([
    ['garbage', 'not a key'],
    ['a public key', identityKeyPair('ed25519').publicPem],
    ['two private keys', identityKeyPair().privatePem + identityKeyPair().privatePem],
    ['a damaged key', identityKeyPair().privatePem.replace(/\n[A-Za-z0-9+/]{8}/, '\nAAAAAAAA')],
    ['a truncated key', identityKeyPair().privatePem.slice(0, 60)],
    [
      'an encrypted key',
      generateKeyPairSync('ed25519').privateKey.export({ ...pem, cipher: 'aes-256-cbc', passphrase: 'x' }) as string,
    ],
    ['text around the PEM', `key:\n${identityKeyPair().privatePem}`],
  ])('refuses %s, in one line naming the variable, never quoting the key', (_name, value) => {
    const problems = problemsOf({ IDENTITY_TOKEN_KEY: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^IDENTITY_TOKEN_KEY: expected an Ed25519 or P-256 \(prime256v1\) key in PEM/);
    expect(problems[0]).not.toContain('\n');
    expect(problems[0]).not.toMatch(/[A-Za-z0-9+/]{24}/);
  });

  it('names every bad variable at once, the retired keys by their place', () => {
    const problems = problemsOf({
      IDENTITY_TOKEN_KEY: WRONG_KINDS['an rsa key'](),
      IDENTITY_TOKEN_PREVIOUS_KEYS: identityKeyPair().publicPem + WRONG_KINDS['an ed448 key'](),
    });
    expect(problems).toEqual([
      'IDENTITY_TOKEN_KEY: expected an Ed25519 or P-256 (prime256v1) key in PEM, not an rsa key',
      'IDENTITY_TOKEN_PREVIOUS_KEYS: key 2 of 2: expected an Ed25519 or P-256 (prime256v1) key in PEM, not an ed448 key',
    ]);
  });
});

describe('identity keys', () => {
  it('take the RFC 7638 thumbprint as kid, for both kinds', async () => {
    for (const kind of ['ed25519', 'p256'] as const) {
      const key = parseSigningKey(identityKeyPair(kind).privatePem);
      expect(key.kid).toBe(await calculateJwkThumbprint(key.jwk as Parameters<typeof calculateJwkThumbprint>[0]));
      expect(key.jwk).not.toHaveProperty('d');
    }
  });

  it('a retired private key publishes the same JWK as its public half', () => {
    const pair = identityKeyPair('p256');
    const [fromPrivate, fromPublic] = parsePublishedKeys(pair.privatePem + pair.publicPem);
    expect(fromPrivate).toEqual(fromPublic);
    expect(fromPrivate).toEqual(
      (({ kid, alg, jwk }) => ({ kid, alg, jwk }))(parseSigningKey(pair.privatePem)) satisfies typeof fromPrivate,
    );
  });

  it('the signer writes compact JWS whose signature node:crypto verifies (ES256 as raw r‖s)', () => {
    for (const kind of ['ed25519', 'p256'] as const) {
      const pair = identityKeyPair(kind);
      const sign = identitySigner({ key: parseSigningKey(pair.privatePem), audience: 'a', issuer: 'i' });
      const [header, payload, signature] = sign({
        sub: '1',
        username: 'u',
        role: 'user',
        sid: 'session000000001',
      }).split('.');
      const input = Buffer.from(`${header}.${payload}`);
      const raw = Buffer.from(signature!, 'base64url');
      expect(raw).toHaveLength(64);
      const ok =
        kind === 'ed25519'
          ? verify(null, input, pair.publicPem, raw)
          : verify('sha256', input, { key: pair.publicPem, dsaEncoding: 'ieee-p1363' }, raw);
      expect(ok).toBe(true);
      expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toMatchObject({ sid: 'session000000001' });
    }
  });

  it('are created from PEM an operator makes with openssl (SPKI public keys too)', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    expect(parsePublishedKeys(publicKey.export(spki) as string)).toHaveLength(1);
  });
});
