// Runs inside the password pool's worker threads, so no bcrypt round blocks the event loop.
// Plain JavaScript: worker threads load it directly, with or without a TypeScript build.
import bcrypt from 'bcryptjs';

export default function bcryptTask(task) {
  if (task.op === 'hash') return bcrypt.hashSync(task.password, task.cost);
  return bcrypt.compareSync(task.password, task.hash);
}
