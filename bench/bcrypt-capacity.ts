import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import bcrypt from 'bcryptjs';

export interface BcryptCapacity {
  cost: number;
  cores: number;
  /** Compares per second of one thread with the machine otherwise idle. */
  singleCorePerSecond: number;
  /** cores × singleCorePerSecond: what the login target is measured against. */
  idealPerSecond: number;
  /** Compares per second of one thread per core, all at once. */
  allCoresPerSecond: number;
}

function compareRate(hash: string, password: string, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./bcrypt-capacity.worker.js', import.meta.url), {
      workerData: { hash, password, seconds },
    });
    worker.once('message', (done: { compares: number; seconds: number }) => resolve(done.compares / done.seconds));
    worker.once('error', reject);
  });
}

/** The machine's raw bcrypt compare rate at `cost`, on worker threads as the gateway's pool runs it. */
export async function measureBcrypt(cost: number, seconds: number): Promise<BcryptCapacity> {
  const password = 'bench-bcrypt-capacity';
  const hash = bcrypt.hashSync(password, cost);
  const cores = availableParallelism();
  const singleCorePerSecond = await compareRate(hash, password, seconds);
  const rates = await Promise.all(Array.from({ length: cores }, () => compareRate(hash, password, seconds)));
  return {
    cost,
    cores,
    singleCorePerSecond,
    idealPerSecond: cores * singleCorePerSecond,
    allCoresPerSecond: rates.reduce((sum, rate) => sum + rate, 0),
  };
}

/** Other work on the machine only ever slows bcrypt down, so the better of two measurements is the closer one. */
export function bestOf(a: BcryptCapacity, b: BcryptCapacity): BcryptCapacity {
  const singleCorePerSecond = Math.max(a.singleCorePerSecond, b.singleCorePerSecond);
  return {
    ...a,
    singleCorePerSecond,
    idealPerSecond: a.cores * singleCorePerSecond,
    allCoresPerSecond: Math.max(a.allCoresPerSecond, b.allCoresPerSecond),
  };
}
