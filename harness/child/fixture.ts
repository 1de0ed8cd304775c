// Child used only by the process-model tests (harness/processes/children.test.ts and
// harness/phases/common.test.ts): it answers, crashes with a long stderr, hangs, or spins, on
// request, so the tests can prove each ends up as the right recorded failure without depending on any style.
import { serve } from './ipc.js';

serve({
  handlers: {
    ping: () => 'pong',
    pid: () => process.pid,
    env: (payload) => process.env[String(payload.name)] ?? null,
    crash() {
      // More than the 2 KiB the harness keeps, so the test sees that the tail (the end) is kept.
      process.stderr.write('x'.repeat(3_000) + '\n');
      process.stderr.write('fixture: about to crash on purpose\n', () => process.exit(3));
      return new Promise(() => undefined);
    },
    hang: () => new Promise(() => undefined),
    spin() {
      // Blocks the event loop: the child cannot even read the IPC channel any more.
      for (;;) {
        // busy
      }
    },
  },
});
