// A held workflow's request must outlive the sweep that holds it: neither of the HTTP client's
// clocks may fail it first (the whole-response deadline defaults to 60 s, shorter than a threads sweep).
import { describe, expect, it } from 'vitest';
import { DEFAULT_INPUT } from '../../scenarios/repos-and-forks/contract.js';
import { heldInput } from './held-input.js';

describe('heldInput', () => {
  it('sets both the silence timeout and the whole-response deadline to the hold', () => {
    const input = heldInput('http://127.0.0.1:1', 'held', 600_000);
    expect(input.timeoutMs).toBe(600_000);
    expect(input.deadlineMs).toBe(600_000);
    expect(input.deadlineMs).toBeGreaterThan(DEFAULT_INPUT.deadlineMs);
    expect(input).toMatchObject({ apiUrl: 'http://127.0.0.1:1', user: 'held', concurrency: DEFAULT_INPUT.concurrency, perPage: DEFAULT_INPUT.perPage });
  });
});
