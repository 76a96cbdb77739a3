import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.js';

/** The nginx binary (Debian's `nginx` package puts it in /usr/sbin), if there is one. */
export function findNginx(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    try {
      accessSync(join(dir, 'nginx'), constants.X_OK);
      return join(dir, 'nginx');
    } catch {}
  }
  return undefined;
}

export const NO_NGINX = "nginx is not installed (Debian's nginx package: apt-get install -y nginx)";

export interface Nginx {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** What nginx wrote to its error log so far. */
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

/** The main configuration around the site: in the foreground, every file it writes under the prefix. */
function mainConfig(prefix: string): string {
  const temp = (name: string) => `${name}_temp_path ${join(prefix, 'temp', name)};`;
  return `daemon off;
master_process on;
worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')} info;

events {
    worker_connections 128;
}

http {
    access_log ${join(prefix, 'access.log')};
    ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n    ')}

    include ${join(prefix, 'site.conf')};
}
`;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

async function launch(binary: string, prefix: string, port: number): Promise<ChildProcess> {
  const child = spawn(binary, ['-p', `${prefix}/`, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      const log = await readFile(join(prefix, 'error.log'), 'utf8').catch(() => '');
      throw Object.assign(new Error(`nginx exited with ${child.exitCode}:\n${stderr}${log}`), { log });
    }
    if (await listening(port)) return child;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`nginx did not listen on ${port} within 10 s:\n${stderr}`);
}

/**
 * Starts nginx in the foreground with a prefix directory of its own under /tmp, its error log,
 * pid file and temporary files in it, serving the site made for a spare loopback port.
 */
export async function startNginx(site: (listen: string) => string, binary = findNginx()): Promise<Nginx> {
  if (!binary) throw new Error(NO_NGINX);
  const prefix = await mkdtemp(join(tmpdir(), 'storegate-nginx-'));
  // Run as root, nginx's workers are `nobody`: they must reach their temporary directories.
  await chmod(prefix, 0o755);
  await mkdir(join(prefix, 'temp'));
  await writeFile(join(prefix, 'nginx.conf'), mainConfig(prefix));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    await writeFile(join(prefix, 'site.conf'), site(`127.0.0.1:${port}`));
    try {
      const child = await launch(binary, prefix, port);
      return {
        url: `http://127.0.0.1:${port}`,
        errorLog: () => readFile(join(prefix, 'error.log'), 'utf8'),
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            const exited = once(child, 'exit');
            child.kill('SIGTERM');
            await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
          }
          await rm(prefix, { recursive: true, force: true });
        },
      };
    } catch (err) {
      // Another process took the spare port between our look and nginx's bind: try another.
      const inUse = /Address already in use/.test(String((err as { log?: string }).log ?? err));
      if (!inUse || attempt >= 3) {
        await rm(prefix, { recursive: true, force: true });
        throw err;
      }
    }
  }
}
