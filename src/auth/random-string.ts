import { randomInt } from 'node:crypto';

/** `length` characters drawn uniformly from `alphabet` by the system's CSPRNG. */
export function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}
