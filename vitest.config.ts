import { createRequire } from 'node:module';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// Node loads graphql's CommonJS entry for Apollo and type-graphql; Vite would hand our own
// sources its `module` entry, a second graphql whose instanceof checks reject the first's types.
const graphqlAsNodeLoadsIt = createRequire(import.meta.url).resolve('graphql');

// SWC, not esbuild: type-graphql and MikroORM need the decorator metadata esbuild cannot emit.
// Both projects extend this root config, so both get the plugin, the alias and the pool settings.
export default defineConfig({
  plugins: [
    swc.vite({
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      },
    }),
  ],
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlAsNodeLoadsIt }] },
  test: {
    setupFiles: ['reflect-metadata'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      // Pure logic and the services on embedded SQLite and the in-process store: no MariaDB, no Redis.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // Everything else (integration, e2e, hardening) runs on the real MariaDB and Redis, checked first.
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**', '**/node_modules/**'],
          globalSetup: ['test/helpers/global-setup.ts'],
        },
      },
    ],
  },
});
