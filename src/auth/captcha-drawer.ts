import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';

const WORKER = new URL('../workers/captcha.worker.cjs', import.meta.url).href;

/**
 * Draws captcha codes as PNG images on worker threads of their own, apart from the bcrypt pool.
 * The threads start with the first captcha, so a process that draws none (the CLI) has none.
 */
export class CaptchaDrawer {
  private pool: Piscina | undefined;

  constructor(private readonly threads = Math.max(1, Math.floor(availableParallelism() / 2))) {}

  /** The image as a `data:image/png;base64,…` URL. */
  async draw(code: string): Promise<string> {
    this.pool ??= new Piscina({ filename: WORKER, minThreads: 1, maxThreads: this.threads, idleTimeout: 60_000 });
    return `data:image/png;base64,${await this.pool.run(code)}`;
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
  }
}
