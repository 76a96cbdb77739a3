import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';

const WORKER = new URL('./bcrypt.worker.js', import.meta.url).href;

/** bcrypt ignores bytes past 72, so longer passwords are rejected rather than silently truncated. */
export const MAX_PASSWORD_BYTES = 72;

/** bcrypt hashing and verification on a worker-thread pool. New hashes use the `$2y$` prefix the legacy PHP service writes. */
export class PasswordHasher {
  private readonly pool: Piscina;
  /** Made once at start, so even the first miss costs the same as a real comparison. */
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly cost: number,
    poolSize = 0,
  ) {
    const threads = poolSize > 0 ? poolSize : availableParallelism();
    this.pool = new Piscina({ filename: WORKER, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
    this.dummyHash = this.hash('storegate-timing-equaliser');
    // A pool closed before this settles rejects it; a later miss would still report that.
    this.dummyHash.catch(() => undefined);
  }

  async hash(password: string): Promise<string> {
    const hash: string = await this.pool.run({ op: 'hash', password, cost: this.cost });
    return hash.replace(/^\$2[ab]\$/, '$2y$');
  }

  async verify(password: string, hash: string): Promise<boolean> {
    if (!/^\$2[aby]\$\d{2}\$/.test(hash)) return false;
    return this.pool.run({ op: 'compare', password, hash });
  }

  /**
   * Spends the time of a real comparison when there is no user, so a miss and a wrong password
   * cannot be told apart by timing.
   */
  async verifyNothing(password: string): Promise<false> {
    await this.verify(password, await this.dummyHash);
    return false;
  }

  needsRehash(hash: string): boolean {
    const cost = Number(/^\$2[aby]\$(\d{2})\$/.exec(hash)?.[1]);
    return !Number.isFinite(cost) || cost < this.cost;
  }

  get queueSize(): number {
    return this.pool.queueSize;
  }

  /** How long tasks waited for a free worker, in milliseconds, since start (for the metrics). */
  get waitTime(): { p50: number; p90: number; p99: number } {
    return this.pool.histogram.waitTime;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
