import { createHmac, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Ways an attacker could rework a genuine token: the claims stay plausible, the signature never holds. */
const FORGERIES = {
  garbage: () => 'not-a-jwt',
  'alg none': (header: string, claims: Record<string, unknown>) =>
    `${base64url({ ...JSON.parse(header), alg: 'none' })}.${base64url(claims)}.`,
  'wrong secret': (_header: string, claims: Record<string, unknown>) =>
    jwt.sign(claims, 'another-secret-0123456789-0123456789-xyz', { algorithm: 'HS256' }),
  'claims changed': (header: string, claims: Record<string, unknown>, signature: string) =>
    `${base64url(JSON.parse(header))}.${base64url({ ...claims, sub: '999999' })}.${signature}`,
  truncated: (header: string, claims: Record<string, unknown>, signature: string) =>
    `${base64url(JSON.parse(header))}.${base64url(claims)}.${signature.slice(0, -4)}`,
};

export type Forgery = keyof typeof FORGERIES;
export const FORGERY_KINDS = Object.keys(FORGERIES) as Forgery[];

export function forgeToken(kind: Forgery, genuine: string): string {
  const [header, payload, signature] = genuine
    .split('.')
    .map((part, i) => (i < 2 ? Buffer.from(part, 'base64url').toString('utf8') : part)) as [string, string, string];
  return FORGERIES[kind](header, JSON.parse(payload), signature);
}

const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));

let rsaKeys: { publicKey: string; privateKey: string } | undefined;

/** An RSA key pair of the attacker's, made once. */
function attackerKeys(): { publicKey: string; privateKey: string } {
  rsaKeys ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return rsaKeys;
}

/** The genuine token's claims signed RS256 with the attacker's own private key. */
export function rs256Token(genuine: string): string {
  return jwt.sign(claimsOf(genuine), attackerKeys().privateKey, { algorithm: 'RS256' });
}

/**
 * The RS256/HS256 confusion: the claims signed HS256 with a public key's PEM as the HMAC secret,
 * which a verifier that takes the algorithm from the header and holds a public key would accept.
 * Signed by hand, since jsonwebtoken refuses to use a PEM as an HMAC secret.
 */
export function confusedAlgorithmToken(genuine: string): string {
  const signingInput = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url(claimsOf(genuine))}`;
  const signature = createHmac('sha256', attackerKeys().publicKey).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}
