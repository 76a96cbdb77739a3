import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';

export type IdentityAlgorithm = 'EdDSA' | 'ES256';

/** A key the JWKS publishes: its RFC 7638 thumbprint is its `kid`. */
export interface IdentityKey {
  readonly kid: string;
  readonly alg: IdentityAlgorithm;
  readonly jwk: Readonly<JsonWebKey>;
}

/** The key the identity assertions are signed with. */
export interface SigningKey extends IdentityKey {
  readonly privateKey: KeyObject;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const EXPECTED = 'expected an Ed25519 or P-256 (prime256v1) key in PEM';

/** Environments often hold a PEM on one line with `\n` escapes. */
const withNewlines = (value: string): string => value.replace(/\\n/g, '\n');

function pemBlocks(value: string): string[] {
  const text = withNewlines(value);
  const blocks = text.match(PEM_BLOCK) ?? [];
  const rest = text.replace(PEM_BLOCK, '').trim();
  if (!blocks.length || rest) throw new Error(`${EXPECTED}: not PEM (-----BEGIN …----- … -----END …-----)`);
  return blocks;
}

function algorithmOf(key: KeyObject): IdentityAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType === 'ec' && curve === 'prime256v1') return 'ES256';
  const kind = key.asymmetricKeyType === 'ec' ? `an EC ${curve} key` : `an ${key.asymmetricKeyType} key`;
  throw new Error(`${EXPECTED}, not ${kind}`);
}

/** RFC 7638: SHA-256 of the required members, in lexicographic order, without whitespace. */
function thumbprint(jwk: JsonWebKey): string {
  const members =
    jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

function published(publicKey: KeyObject): IdentityKey {
  const alg = algorithmOf(publicKey);
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  const kid = thumbprint({ kty, crv, x, y });
  return { kid, alg, jwk: Object.freeze({ kty, crv, x, ...(y ? { y } : {}), kid, alg, use: 'sig' }) };
}

/** Never the library's message: it could quote the key. */
function parsed<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch {
    throw new Error(`${EXPECTED}: this is not a readable ${what} (an encrypted key is not supported)`);
  }
}

export function parseSigningKey(value: string): SigningKey {
  const [block, ...more] = pemBlocks(value);
  if (!block || more.length) throw new Error(`${EXPECTED}: one private key, not ${more.length + 1} PEM blocks`);
  if (!/PRIVATE KEY-----$/.test(block)) throw new Error(`${EXPECTED}: a private key, not a public one`);
  const privateKey = parsed('private key', () => createPrivateKey(block));
  return { ...published(createPublicKey(privateKey)), privateKey };
}

/** Retired keys, one PEM block after another, each public or private: only their public halves are kept. */
export function parsePublishedKeys(value: string): IdentityKey[] {
  return pemBlocks(value).map((block, i, all) => {
    try {
      return published(parsed('key', () => createPublicKey(block)));
    } catch (err) {
      throw new Error(
        all.length > 1 ? `key ${i + 1} of ${all.length}: ${(err as Error).message}` : (err as Error).message,
      );
    }
  });
}

/** A zod transform that parses a variable with `parse`, or reports its problem under the variable's name. */
function keyVariable<T>(parse: (value: string) => T) {
  return z.string().transform((value, ctx): T => {
    try {
      return parse(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
}

export const signingKeyVariable = keyVariable(parseSigningKey);
export const publishedKeysVariable = keyVariable(parsePublishedKeys);
