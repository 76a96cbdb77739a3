import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './server-process.js';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `storegate …` as `npx storegate` would (bin/storegate.js), with the given environment. */
export function storegate(args: string[], env: Record<string, string>, stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/storegate.js'), ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', BCRYPT_COST: '4', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
