// Runs inside the password pool's worker threads, so no bcrypt round blocks the event loop.
// Plain CommonJS: piscina loads a worker with `require` first, and Node 20's require of an ES
// module can abort the process (v8 "IsGraphAsync must be used on an instantiated module").
const { performance } = require('node:perf_hooks');
const bcrypt = require('bcryptjs');

module.exports = function bcryptTask(task) {
  if (task.op === 'hash') return bcrypt.hashSync(task.password, task.cost);
  const started = performance.now();
  const matches = bcrypt.compareSync(task.password, task.hash);
  return { matches, ms: performance.now() - started };
};
