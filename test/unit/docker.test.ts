import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(`${repo}${path}`, 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions, continuation lines joined and comments dropped. */
function instructions(dockerfile: string): Instruction[] {
  return dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
    });
}

/** What each `COPY` takes from the build context (not from another stage). */
function copiedFromContext(steps: Instruction[]): string[] {
  return steps
    .filter((step) => step.keyword === 'COPY' && !/--from=/.test(step.args))
    .flatMap((step) =>
      step.args
        .split(/\s+/)
        .filter((word) => !word.startsWith('--'))
        .slice(0, -1),
    );
}

/** The variables an env file sets. */
const variablesOf = (envFile: string) => [...envFile.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);

describe('docker/compose.yaml', () => {
  const compose = parse(read('docker/compose.yaml')) as { services: Record<string, any> };
  const { gateway, mysql, redis } = compose.services;

  it('runs the gateway with MySQL 8 and Redis 7, each with a health check', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['gateway', 'mysql', 'redis']);
    expect(mysql.image).toMatch(/^mysql:8(\.|$)/);
    expect(redis.image).toMatch(/^redis:7(\.|-|$)/);
    for (const service of [gateway, mysql, redis]) {
      expect(service.healthcheck.test[0]).toBe('CMD');
      expect(service.healthcheck.test.length).toBeGreaterThan(1);
    }
    expect(mysql.healthcheck.test).toContain('ping');
    expect(redis.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(gateway.healthcheck.test.join(' ')).toContain('/healthz');
  });

  it('starts the gateway once both are healthy, on them, after applying the migrations', () => {
    expect(gateway.depends_on).toEqual({
      mysql: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    expect(gateway.environment).toMatchObject({
      NODE_ENV: 'production',
      DATABASE_URL: expect.stringMatching(/^mysql:\/\/.+@mysql:3306\/storegate$/),
      REDIS_URL: 'redis://redis:6379',
    });
    expect(gateway.command.at(-1)).toMatch(/^node bin\/storegate\.js migrate && exec node dist\/server\.js$/);
    expect(
      existsSync(`${repo}bin/storegate.js`) &&
        existsSync(`${repo}src/cli/main.ts`) &&
        existsSync(`${repo}src/server.ts`),
    ).toBe(true);
  });

  it('builds the image from docker/Dockerfile with the repository as context', () => {
    expect(gateway.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
  });

  it('reads the gateway settings from a documented env file whose variables storegate knows', () => {
    expect(gateway.env_file).toBe('storegate.env');
    const example = read('docker/storegate.env.example');
    const known = [...variablesOf(read('.env.example')), 'MYSQL_PASSWORD'];
    expect(variablesOf(example)).toContain('JWT_SECRET');
    for (const variable of variablesOf(example)) expect(known).toContain(variable);
    expect(example).toMatch(/^JWT_SECRET=$/m);
  });

  it('offers only values the gateway accepts: with a secret filled in, the example is a valid production configuration', () => {
    const example = read('docker/storegate.env.example');
    const settings = Object.fromEntries(
      example
        .split('\n')
        .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const env = { ...settings, DATABASE_URL: 'mysql://u:p@mysql:3306/storegate', REDIS_URL: 'redis://redis:6379' };
    expect(() => loadConfig({ ...env, JWT_SECRET: 'x'.repeat(48) })).not.toThrow();
    expect(example).not.toMatch(/TRUST_PROXY.*\btrue\b(?!` is refused)/);
  });
});

describe('docker/Dockerfile', () => {
  const steps = instructions(read('docker/Dockerfile'));
  const stages = steps.filter((step) => step.keyword === 'FROM');
  const final = steps.slice(steps.lastIndexOf(stages.at(-1)!));

  it('is multi-stage on Node 22 slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.args).toMatch(/^node:22-slim\b/);
  });

  it('installs only production dependencies in the final stage and runs as a non-root user', () => {
    expect(final.some((step) => step.keyword === 'RUN' && /npm ci\b.*--omit=dev/.test(step.args))).toBe(true);
    const user = final.findLast((step) => step.keyword === 'USER');
    expect(user?.args).toBeDefined();
    expect(user!.args).not.toMatch(/^(root|0)(:|$)/);
  });

  it('checks its health on /healthz', () => {
    const healthcheck = final.find((step) => step.keyword === 'HEALTHCHECK');
    expect(healthcheck?.args).toMatch(/CMD .*\/healthz/);
  });

  it('copies only files that exist in the repository, none of them ignored', () => {
    const copied = copiedFromContext(steps);
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'bin']));
    const ignored = read('docker/Dockerfile.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const path of copied) {
      expect(existsSync(`${repo}${path}`), `${path} exists`).toBe(true);
      expect(ignored, `${path} is not in the build context's ignore list`).not.toContain(path);
    }
  });
});
