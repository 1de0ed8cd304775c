// A wrong answer from the thing measured: a fast wrong answer is not a measurement. It is thrown
// where an answer is checked (the echo load child, the workflow child, the micro suite), crosses the
// IPC channel as itself (child/ipc.ts revives it in the parent), and `measure` records it as a
// `verification` failure, never timed.
export class VerificationError extends Error {
  override readonly name = 'VerificationError';
}
