// The input of a workflow the memory sweeps hold at its first request: the bench's own, with both
// of the HTTP client's clocks (silence and the whole response) set to the hold's length, so a request
// held for as long as a sweep takes is never failed by the client while it is being measured.
import { DEFAULT_INPUT, type ReposAndForksInput } from '../../scenarios/repos-and-forks/contract.js';

export function heldInput(apiUrl: string, user: string, holdMs: number): ReposAndForksInput {
  return { apiUrl, user, concurrency: DEFAULT_INPUT.concurrency, perPage: DEFAULT_INPUT.perPage, timeoutMs: holdMs, deadlineMs: holdMs };
}
