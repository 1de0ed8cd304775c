// Child: one style's micro benchmarks (tinybench), alone in a fresh process so no other style's
// code has warmed up or polluted the JIT's type feedback.
//   argv: <style id>
import { loadMicroSuite } from '../../styles/micro-suites.js';
import { runMicro } from '../micro/bench.js';
import { num, serve } from './ipc.js';

const id = process.argv[2] ?? '';

serve({
  handlers: {
    async run(payload) {
      const suite = await loadMicroSuite(id);
      return runMicro(suite, { timeMs: num(payload, 'timeMs'), warmupMs: num(payload, 'warmupMs') });
    },
  },
});
