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
  const [header, payload, signature] = genuine.split('.').map((part, i) =>
    i < 2 ? Buffer.from(part, 'base64url').toString('utf8') : part,
  ) as [string, string, string];
  return FORGERIES[kind](header, JSON.parse(payload), signature);
}
