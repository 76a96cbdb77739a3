import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Piscina } from 'piscina';

const WORKER = new URL('../workers/bcrypt.worker.cjs', import.meta.url).href;

/** bcrypt ignores bytes past 72, so longer passwords are rejected rather than silently truncated. */
export const MAX_PASSWORD_BYTES = 72;

const HASH = /^\$2[aby]\$(\d{2})\$/;
/** Weight of the newest comparison in the running estimate of how long one takes. */
const SMOOTHING = 0.2;

interface Comparison {
  matches: boolean;
  ms: number;
}

/** The cost of a bcrypt hash, or null for anything else. */
function hashCost(hash: string): number | null {
  const cost = HASH.exec(hash)?.[1];
  return cost === undefined ? null : Number(cost);
}

/**
 * bcrypt hashing and checking on a worker-thread pool. New hashes are written as `$2y$`, as the
 * legacy PHP service wrote them. A failed check answers after the same time whatever failed: an
 * unknown user (checked against a dummy hash) or a hash of any cost, so its timing tells neither
 * whether an account exists nor how old its hash is.
 */
export class PasswordHasher {
  private readonly pool: Piscina;
  /** Made once at start, so even the first miss costs what a real comparison costs. */
  private readonly dummyHash: Promise<string>;
  /** Running estimates of one comparison's time on a worker, by cost. */
  private readonly compareMs = new Map<number, number>();
  /** The highest cost a stored hash is known to have: failures take as long as checking one of it. */
  private slowestCost: number;

  constructor(
    private readonly cost: number,
    poolSize = 0,
  ) {
    const threads = poolSize > 0 ? poolSize : availableParallelism();
    this.pool = new Piscina({ filename: WORKER, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
    this.slowestCost = cost;
    this.dummyHash = this.hash('storegate-timing-equaliser');
    // A pool closed before this settles rejects it; a later miss would still report that.
    this.dummyHash.catch(() => undefined);
  }

  async hash(password: string): Promise<string> {
    const hash: string = await this.pool.run({ op: 'hash', password, cost: this.cost });
    return hash.replace(/^\$2[ab]\$/, '$2y$');
  }

  /** Checks a password against a stored hash, or against nothing when there is no such user. */
  async check(password: string, hash: string | null): Promise<boolean> {
    const cost = hash === null ? null : hashCost(hash);
    if (cost !== null) this.expectCost(cost);
    const real = hash !== null && cost !== null;
    const { matches, ms } = await this.compare(password, real ? hash : await this.dummyHash);
    const valid = real && matches;
    if (!valid) await sleep(Math.max(0, this.estimatedMs(this.slowestCost) - ms));
    return valid;
  }

  /** A stored hash of this cost exists: failures from now on take as long as checking one. */
  expectCost(cost: number): void {
    if (cost > this.slowestCost) this.slowestCost = cost;
  }

  needsRehash(hash: string): boolean {
    const cost = hashCost(hash);
    return cost === null || cost < this.cost;
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

  private async compare(password: string, hash: string): Promise<Comparison> {
    const result: Comparison = await this.pool.run({ op: 'compare', password, hash });
    const cost = hashCost(hash);
    if (cost !== null) {
      const previous = this.compareMs.get(cost);
      this.compareMs.set(cost, previous === undefined ? result.ms : previous + SMOOTHING * (result.ms - previous));
    }
    return result;
  }

  /** bcrypt's work doubles with each cost step: unmeasured costs are scaled from the nearest measured one. */
  private estimatedMs(cost: number): number {
    const measured = this.compareMs.get(cost);
    if (measured !== undefined) return measured;
    let nearest: [number, number] | undefined;
    for (const entry of this.compareMs) {
      if (!nearest || Math.abs(entry[0] - cost) < Math.abs(nearest[0] - cost)) nearest = entry;
    }
    return nearest ? nearest[1] * 2 ** (cost - nearest[0]) : 0;
  }
}
