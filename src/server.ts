import 'dotenv/config';
import 'reflect-metadata';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await buildApp(config);
  for (const warning of config.warnings) app.log.warn(warning);
  const address = await app.listen({ host: config.host, port: config.port });
  app.log.info(`GraphQL (and Apollo Sandbox in a browser): ${address}/graphql`);
  if (config.db.kind === 'sqlite') {
    const invitation = await app.services.invitations.starterCode();
    app.log.info(`Invitation code to register with: ${invitation.code}`);
    console.log(`\n  storegate is up: ${address}/graphql\n  invitation code: ${invitation.code}\n`);
  }

  const shutdown = (signal: string) => {
    app.log.info(`${signal}: finishing in-flight requests`);
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    app.close().then(
      () => {
        clearTimeout(force);
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
