import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);

describe('.env.example', () => {
  it('lists every variable the configuration reads, and no other', () => {
    const source = readFileSync(new URL('src/config.ts', root), 'utf8');
    const schema = source.slice(source.indexOf('const envSchema'), source.indexOf('superRefine'));
    const read = [...schema.matchAll(/^ +([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]).sort();
    const listed = [...readFileSync(new URL('.env.example', root), 'utf8').matchAll(/^([A-Z][A-Z0-9_]+)=/gm)]
      .map((m) => m[1])
      .sort();
    expect(read.length).toBeGreaterThan(20);
    expect(listed).toEqual(read);
  });
});

describe('README', () => {
  it('configuration table names every variable of .env.example', () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const listed = [...readFileSync(new URL('.env.example', root), 'utf8').matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map(
      (m) => m[1],
    );
    expect(listed.filter((name) => !readme.includes(`| \`${name}\` |`))).toEqual([]);
  });
});
