import { parentPort, workerData } from 'node:worker_threads';
import bcrypt from 'bcryptjs';

const MAX_COMPARES = 100_000;
const { hash, password, seconds } = workerData as { hash: string; password: string; seconds: number };

const started = performance.now();
const deadline = started + seconds * 1000;
let compares = 0;
while (performance.now() < deadline && compares < MAX_COMPARES) {
  bcrypt.compareSync(password, hash);
  compares++;
}
parentPort?.postMessage({ compares, seconds: (performance.now() - started) / 1000 });
