// Fault rules for the fake GitHub: which requests (a path glob, optionally a listing page and the nth
// match) get which failure instead of their normal answer. This module is pure: it parses, checks,
// formats and matches rules; what each kind answers is decided in fake-github-answer.ts and
// streamed in fake-github-delivery.ts.

/** What the server does instead of answering normally; fake-github-answer.ts decides the exact bytes. */
export type FaultAction =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'rate-limit' }
  | { readonly kind: 'secondary-rate-limit'; readonly retryAfter: number }
  | { readonly kind: 'reset' }
  | { readonly kind: 'truncated' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'missing-source' }
  | { readonly kind: 'hang' }
  /** A normal answer whose `link` header is `<url>; rel="next"`: any text, hostile on purpose. */
  | { readonly kind: 'link'; readonly url: string }
  /** 200 with a body of HUGE_BODY_BYTES, streamed without Content-Length, honouring backpressure. */
  | { readonly kind: 'huge-body' }
  /** 200 with the normal body sent one byte every `everyMs`: never silent, never finished in time. */
  | { readonly kind: 'trickle'; readonly everyMs: number };

export type FaultKind = FaultAction['kind'];

export const FAULT_KINDS: readonly FaultKind[] = [
  'status', 'rate-limit', 'secondary-rate-limit', 'reset', 'truncated', 'malformed', 'missing-source', 'hang',
  'link', 'huge-body', 'trickle',
];

export interface FaultRule {
  /** A path glob without query: `*` matches within one segment, `**` matches anything, case-insensitive. */
  readonly path: string;
  /** Only requests for this page (the `page` query parameter, 1 when absent). */
  readonly page?: number;
  /** Only the nth request (1-based) matching `path` and `page`; every matching request when absent. */
  readonly nth?: number;
  readonly action: FaultAction;
}

export const DEFAULT_RETRY_AFTER = 60;
export const DEFAULT_TRICKLE_MS = 100;
/** 1 GiB: more than any client should accept; the server streams it, so it costs the server nothing. */
export const HUGE_BODY_BYTES = 1024 ** 3;
/** A `link=` target: printable ASCII without `@` (ends the argument) or `>` (ends the target), at most 2,000. */
const LINK_TARGET = /^[\x20-\x3d\x3f\x41-\x7e]{0,2000}$/;

export const FAULT_RULE_SYNTAX =
  'KIND[=ARG]@PATH[?page=N][#NTH] where KIND is status=CODE (400-599), rate-limit, ' +
  `secondary-rate-limit[=SECONDS] (default ${DEFAULT_RETRY_AFTER}), reset, truncated, malformed, missing-source, hang, ` +
  'link=URL (any text without @ or >, sent as the rel="next" target), huge-body (1 GiB) or trickle[=MS] (one byte every MS, ' +
  `default ${DEFAULT_TRICKLE_MS}); ` +
  'PATH is a glob starting with / (* = one path segment, ** = anything); ' +
  '#NTH picks only the nth matching request, from 1; e.g. status=500@/repos/*/*#3, truncated@/users/*/repos?page=2';

/** A rule that cannot be used: names the rule as given and what is accepted. */
export class FaultRuleError extends Error {
  override readonly name = 'FaultRuleError';
  /** The rule as given: its text, or its JSON for a rule built in code. */
  readonly text: string;

  constructor(text: string, problem: string) {
    super(`fault rule ${JSON.stringify(text)}: ${problem}; accepted: ${FAULT_RULE_SYNTAX}`);
    this.text = text;
  }
}

const RULE = /^([a-z-]+)(?:=([^@]*))?@(\/[^?#]*)(?:\?([^#]*))?(?:#(.*))?$/;
const PATH_CHARS = /^\/[A-Za-z0-9._~*/-]*$/;
const WHOLE = /^[0-9]+$/;

// Parses the CLI form (FAULT_RULE_SYNTAX), e.g. `status=500@/repos/*/*#3`, `rate-limit@/users/*/repos`,
// `secondary-rate-limit=30@/repos/*/*#2`, `truncated@/users/*/repos?page=2`, `hang@/repos/*/*#1`.
export function parseFaultRule(text: string): FaultRule {
  const match = RULE.exec(text.trim());
  if (match === null) throw new FaultRuleError(text, 'not of the form KIND[=ARG]@PATH');
  const [, kind = '', arg, path = '', query, nth] = match;
  const rule: FaultRule = {
    path,
    ...(query !== undefined ? { page: parsePage(text, query) } : {}),
    ...(nth !== undefined ? { nth: whole(text, 'NTH', nth) } : {}),
    action: parseAction(text, kind, arg),
  };
  return checkFaultRule(rule, text);
}

function parseAction(text: string, kind: string, arg: string | undefined): FaultAction {
  const noArg = (action: FaultAction): FaultAction => {
    if (arg !== undefined) throw new FaultRuleError(text, `${kind} takes no =ARG (got ${JSON.stringify(arg)})`);
    return action;
  };
  switch (kind) {
    case 'status':
      if (arg === undefined) throw new FaultRuleError(text, 'status needs a code, e.g. status=500');
      return { kind: 'status', status: whole(text, 'status CODE', arg) };
    case 'secondary-rate-limit':
      return { kind: 'secondary-rate-limit', retryAfter: arg === undefined ? DEFAULT_RETRY_AFTER : whole(text, 'SECONDS', arg) };
    case 'link':
      if (arg === undefined) throw new FaultRuleError(text, 'link needs a target, e.g. link=http://other-host/steal');
      return { kind: 'link', url: arg };
    case 'trickle':
      return { kind: 'trickle', everyMs: arg === undefined ? DEFAULT_TRICKLE_MS : whole(text, 'MS', arg) };
    case 'huge-body':
    case 'rate-limit':
    case 'reset':
    case 'truncated':
    case 'malformed':
    case 'missing-source':
    case 'hang':
      return noArg({ kind });
    default:
      throw new FaultRuleError(text, `unknown KIND ${JSON.stringify(kind)}`);
  }
}

function parsePage(text: string, query: string): number {
  const match = /^page=(.*)$/.exec(query);
  if (match === null) throw new FaultRuleError(text, `the only query accepted is ?page=N (got ?${query})`);
  return whole(text, 'page', match[1] ?? '');
}

function whole(text: string, what: string, raw: string): number {
  // Past 2^53 - 1 a number is not exact, and `1e+21` would not read back: refuse it here.
  if (!WHOLE.test(raw)) throw new FaultRuleError(text, `${what} must be a whole number (got ${JSON.stringify(raw)})`);
  if (!Number.isSafeInteger(Number(raw))) {
    throw new FaultRuleError(text, `${what} must be at most ${Number.MAX_SAFE_INTEGER} (got ${raw.slice(0, 40)})`);
  }
  return Number(raw);
}

/** Checks a rule built in code (or parsed) and returns it; a bad one is a FaultRuleError. */
export function checkFaultRule(rule: FaultRule, text: string = JSON.stringify(rule)): FaultRule {
  if (!PATH_CHARS.test(rule.path)) {
    throw new FaultRuleError(text, `PATH ${JSON.stringify(rule.path)} must start with / and hold only letters, digits, . _ ~ - * /`);
  }
  if (rule.page !== undefined && !(Number.isSafeInteger(rule.page) && rule.page >= 1)) {
    throw new FaultRuleError(text, `page must be a whole number from 1 up (got ${rule.page})`);
  }
  if (rule.nth !== undefined && !(Number.isSafeInteger(rule.nth) && rule.nth >= 1)) {
    throw new FaultRuleError(text, `NTH must be a whole number from 1 up (got ${rule.nth})`);
  }
  const action = rule.action;
  if (!FAULT_KINDS.includes(action.kind)) throw new FaultRuleError(text, `unknown KIND ${JSON.stringify(action.kind)}`);
  if (action.kind === 'status' && !(Number.isInteger(action.status) && action.status >= 400 && action.status <= 599)) {
    throw new FaultRuleError(text, `status CODE must be from 400 to 599 (got ${action.status})`);
  }
  if (action.kind === 'secondary-rate-limit' && !(Number.isSafeInteger(action.retryAfter) && action.retryAfter >= 0)) {
    throw new FaultRuleError(text, `secondary-rate-limit SECONDS must be a whole number from 0 up (got ${action.retryAfter})`);
  }
  if (action.kind === 'link' && !(typeof action.url === 'string' && LINK_TARGET.test(action.url))) {
    throw new FaultRuleError(text, 'link URL must be at most 2,000 printable ASCII characters without @ or >');
  }
  if (action.kind === 'trickle' && !(Number.isInteger(action.everyMs) && action.everyMs >= 1 && action.everyMs <= 60_000)) {
    throw new FaultRuleError(text, `trickle MS must be a whole number from 1 to 60000 (got ${action.everyMs})`);
  }
  return rule;
}

/** The canonical text of a rule; `parseFaultRule(formatFaultRule(rule))` gives the rule back. */
export function formatFaultRule(rule: FaultRule): string {
  const action = rule.action;
  const head =
    action.kind === 'status'
      ? `status=${action.status}`
      : action.kind === 'secondary-rate-limit'
        ? `secondary-rate-limit=${action.retryAfter}`
        : action.kind === 'link'
          ? `link=${action.url}`
          : action.kind === 'trickle'
            ? `trickle=${action.everyMs}`
            : action.kind;
  return `${head}@${rule.path}${rule.page !== undefined ? `?page=${rule.page}` : ''}${rule.nth !== undefined ? `#${rule.nth}` : ''}`;
}

/** One line for people: the canonical text, then what it does. */
export function describeFaultRule(rule: FaultRule): string {
  const which = rule.nth !== undefined ? `the ${ordinal(rule.nth)} request` : 'every request';
  const page = rule.page !== undefined ? ` with page=${rule.page}` : '';
  return `${formatFaultRule(rule)}: ${which} matching ${rule.path}${page} ${effect(rule.action)}`;
}

function effect(action: FaultAction): string {
  switch (action.kind) {
    case 'status':
      return `answers ${action.status}`;
    case 'rate-limit':
      return 'answers 403 "API rate limit exceeded" with x-ratelimit-remaining: 0';
    case 'secondary-rate-limit':
      return `answers 429 with retry-after: ${action.retryAfter}`;
    case 'reset':
      return 'has its connection reset, unanswered';
    case 'truncated':
      return 'answers 200 with its JSON cut in half (Content-Length matches the half)';
    case 'malformed':
      return 'answers 200 with a body that is not JSON';
    case 'missing-source':
      return 'answers its repository without `source`';
    case 'hang':
      return 'is never answered';
    case 'link':
      return `answers normally with link: <${action.url}>; rel="next"`;
    case 'huge-body':
      return `answers 200 with a ${HUGE_BODY_BYTES}-byte body, streamed without Content-Length`;
    case 'trickle':
      return `answers 200 with its body one byte every ${action.everyMs} ms`;
  }
}

function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

export interface FaultMatcher {
  /**
   * The action for the next request, or undefined to answer normally. Every rule counts the
   * requests it matches, so each `nth` is independent of the other rules; when several rules fire
   * on the same request, the first in the list wins.
   */
  next(path: string, page: number): FaultAction | undefined;
}

export function createFaultMatcher(rules: readonly FaultRule[]): FaultMatcher {
  const compiled = rules.map((rule) => ({ rule: checkFaultRule(rule), glob: compileGlob(rule.path), seen: 0 }));
  return {
    next(path, page) {
      let fired: FaultAction | undefined;
      for (const entry of compiled) {
        if (!matchGlob(entry.glob, path) || (entry.rule.page !== undefined && entry.rule.page !== page)) continue;
        entry.seen++;
        if (fired === undefined && (entry.rule.nth === undefined || entry.rule.nth === entry.seen)) fired = entry.rule.action;
      }
      return fired;
    },
  };
}

// Glob matching in O(path x pattern) time, whatever the pattern: a backtracking RegExp of
// `**a**a**...b` takes exponential time on a near-miss path, and blocked the server for seconds.
// The glob is a list of tokens, and the matcher runs it as an NFA (Thompson's construction): the set
// of tokens the path could be at is advanced one character at a time, so nothing is ever retried.

/** A literal character (lower-cased), `*` (any run within one segment) or `**` (any run at all). */
export type GlobToken = string | typeof STAR | typeof GLOBSTAR;
const STAR = 0;
const GLOBSTAR = 1;

export function compileGlob(glob: string): readonly GlobToken[] {
  const tokens: GlobToken[] = [];
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] ?? '';
    if (char !== '*') tokens.push(char.toLowerCase());
    else if (glob[i + 1] === '*') {
      // Runs of stars: `**`, `***`, ... all mean "anything"; one GLOBSTAR is enough.
      while (glob[i + 1] === '*') i++;
      if (tokens[tokens.length - 1] !== GLOBSTAR) tokens.push(GLOBSTAR);
    } else if (tokens[tokens.length - 1] !== STAR && tokens[tokens.length - 1] !== GLOBSTAR) tokens.push(STAR);
  }
  return tokens;
}

/** Whether the whole `path` matches, case-insensitively. */
export function matchGlob(tokens: readonly GlobToken[], path: string): boolean {
  // active[i]: some prefix of the path read so far ends just before token i.
  let active = new Uint8Array(tokens.length + 1);
  let next = new Uint8Array(tokens.length + 1);
  active[0] = 1;
  closeOverStars(tokens, active);
  for (let p = 0; p < path.length; p++) {
    const char = (path[p] ?? '').toLowerCase();
    next.fill(0);
    let any = false;
    for (let i = 0; i < tokens.length; i++) {
      if (active[i] === 0) continue;
      const token = tokens[i];
      if (token === GLOBSTAR || (token === STAR && char !== '/')) {
        next[i] = 1;
        any = true;
      } else if (token === char) {
        next[i + 1] = 1;
        any = true;
      }
    }
    if (!any) return false;
    closeOverStars(tokens, next);
    [active, next] = [next, active];
  }
  return active[tokens.length] === 1;
}

// A star may match nothing: being before it is also being after it.
function closeOverStars(tokens: readonly GlobToken[], states: Uint8Array): void {
  for (let i = 0; i < tokens.length; i++) {
    if (states[i] === 1 && (tokens[i] === STAR || tokens[i] === GLOBSTAR)) states[i + 1] = 1;
  }
}
