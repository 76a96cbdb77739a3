import 'reflect-metadata';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { loadEnvFile } from './env-file.js';
import { describeFailure } from './failure-message.js';
import { boundHeapGrowth } from './ops/heap-growth.js';

const SHUTDOWN_GRACE_MS = 10_000;

/** Why listening failed, in one line a newcomer can act on. */
function listenFailure(err: unknown, host: string, port: number): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') return `${host}:${port} is already in use: stop what listens there, or set PORT.`;
  if (code === 'EACCES') return `no permission to listen on ${host}:${port}: choose a PORT above 1023.`;
  if (code === 'EADDRNOTAVAIL') return `${host} is no address of this machine: check HOST.`;
  return undefined;
}

async function main(): Promise<void> {
  boundHeapGrowth();
  loadEnvFile();
  const config = loadConfig();
  const app = await buildApp(config);
  for (const warning of config.warnings) app.log.warn(warning);
  let address: string;
  try {
    address = await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await app.close();
    throw new Error(
      listenFailure(err, config.host, config.port) ?? `cannot listen on ${config.host}:${config.port}: ${String(err)}`,
    );
  }
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
  console.error(describeFailure(err));
  process.exit(1);
});
