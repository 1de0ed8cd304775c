// The simulated I/O of the seq10/par25 micro benchmarks, as in the classic doxbee benchmarks: a
// Node error-first callback API that completes on a later turn of the event loop (setImmediate),
// like a socket read would. Every style wraps this same function in its own idiom.
export type IoCallback = (error: Error | null, value?: number) => void;

export function fakeIo(value: number, callback: IoCallback): void {
  setImmediate(() => callback(null, value));
}
