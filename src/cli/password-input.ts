import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { text as readAll } from 'node:stream/consumers';
import { AppError } from '../errors.js';

const mismatch = () => new AppError('INVALID_INPUT', {}, 'The two password lines differ: nothing was created.');

/**
 * A new password from standard input. Piped: the first line, and a second line, if there is
 * one, must repeat it. At a terminal: asked twice without echo.
 */
export async function readNewPassword(input: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (!input.isTTY) {
    const lines = (await readAll(input)).split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    if (lines.length > 2)
      throw new AppError('INVALID_INPUT', {}, 'Expected the password on one line, optionally repeated on a second.');
    const [password = '', repeated = password] = lines;
    if (repeated !== password) throw mismatch();
    return password;
  }
  const first = await ask(input, 'Password: ');
  if ((await ask(input, 'Repeat it: ')) !== first) throw mismatch();
  return first;
}

async function ask(input: NodeJS.ReadStream, prompt: string): Promise<string> {
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const reader = createInterface({ input, output: silent, terminal: true });
  process.stderr.write(prompt);
  try {
    return await reader.question('');
  } finally {
    reader.close();
    process.stderr.write('\n');
  }
}
