// The load client's message pattern: message `seq` of connection `id` is an 8-byte header (seq, id)
// followed by a window of one precomputed pseudo-random source, offset by (seq, id). Consecutive
// messages differ everywhere, so an echo that is reordered, corrupted, stale or another connection's
// fails a plain Buffer comparison; building one is two native copies, checking one is memcmp.

/** Bytes of header at the front of a message (fewer if the message is shorter). */
export const HEADER_BYTES = 8;
/** How many distinct windows the source has; a prime, so (seq, id) spread over all of them. */
const WINDOWS = 4093;

export class EchoPattern {
  /** The source of message bodies: `size + WINDOWS` pseudo-random bytes, made once. */
  private readonly source: Buffer;
  private readonly header = Buffer.alloc(HEADER_BYTES);

  constructor(
    readonly size: number,
    seed = 0x9e3779b9,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`EchoPattern: size must be a whole number from 1 up (got ${size})`);
    this.source = pseudoRandomBytes(size + WINDOWS, seed);
  }

  /** Writes message `seq` of connection `id` into `target` (which is `size` bytes long). */
  fill(target: Buffer, id: number, seq: number): void {
    // The sequence number goes first so that even a 1-byte message changes from one to the next.
    this.header.writeUInt32LE(seq >>> 0, 0);
    this.header.writeUInt32LE(id >>> 0, 4);
    const head = Math.min(HEADER_BYTES, this.size);
    this.header.copy(target, 0, 0, head);
    const offset = (seq + id * 31) % WINDOWS;
    this.source.copy(target, head, offset, offset + this.size - head);
  }
}

/** xorshift32: deterministic across runs and machines, so a failing run can be replayed. */
function pseudoRandomBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[i] = state & 0xff;
  }
  return bytes;
}
