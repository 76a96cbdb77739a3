// Runs inside the password pool's worker threads, so no bcrypt round blocks the event loop.
// Plain JavaScript: worker threads load it directly, with or without a TypeScript build.
import { performance } from 'node:perf_hooks';
import bcrypt from 'bcryptjs';

export default function bcryptTask(task) {
  if (task.op === 'hash') return bcrypt.hashSync(task.password, task.cost);
  const started = performance.now();
  const matches = bcrypt.compareSync(task.password, task.hash);
  return { matches, ms: performance.now() - started };
}
