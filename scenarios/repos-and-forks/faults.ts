// Fault rules for the fake GitHub: which requests (a path glob, optionally a listing page and the nth
// match) get which failure instead of their normal answer. This module is pure: it parses, checks,
// formats and matches rules; the wire behaviour of each kind lives in fake-github.ts.

/** What the server does instead of answering normally; fake-github.ts documents the exact bytes. */
export type FaultAction =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'rate-limit' }
  | { readonly kind: 'secondary-rate-limit'; readonly retryAfter: number }
  | { readonly kind: 'reset' }
  | { readonly kind: 'truncated' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'missing-source' }
  | { readonly kind: 'hang' };

export type FaultKind = FaultAction['kind'];

export const FAULT_KINDS: readonly FaultKind[] = [
  'status', 'rate-limit', 'secondary-rate-limit', 'reset', 'truncated', 'malformed', 'missing-source', 'hang',
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

export const FAULT_RULE_SYNTAX =
  'KIND[=ARG]@PATH[?page=N][#NTH] where KIND is status=CODE (400-599), rate-limit, ' +
  `secondary-rate-limit[=SECONDS] (default ${DEFAULT_RETRY_AFTER}), reset, truncated, malformed, missing-source or hang; ` +
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
  if (!WHOLE.test(raw)) throw new FaultRuleError(text, `${what} must be a whole number (got ${JSON.stringify(raw)})`);
  return Number(raw);
}

/** Checks a rule built in code (or parsed) and returns it; a bad one is a FaultRuleError. */
export function checkFaultRule(rule: FaultRule, text: string = JSON.stringify(rule)): FaultRule {
  if (!PATH_CHARS.test(rule.path)) {
    throw new FaultRuleError(text, `PATH ${JSON.stringify(rule.path)} must start with / and hold only letters, digits, . _ ~ - * /`);
  }
  if (rule.page !== undefined && !(Number.isInteger(rule.page) && rule.page >= 1)) {
    throw new FaultRuleError(text, `page must be a whole number from 1 up (got ${rule.page})`);
  }
  if (rule.nth !== undefined && !(Number.isInteger(rule.nth) && rule.nth >= 1)) {
    throw new FaultRuleError(text, `NTH must be a whole number from 1 up (got ${rule.nth})`);
  }
  const action = rule.action;
  if (!FAULT_KINDS.includes(action.kind)) throw new FaultRuleError(text, `unknown KIND ${JSON.stringify(action.kind)}`);
  if (action.kind === 'status' && !(Number.isInteger(action.status) && action.status >= 400 && action.status <= 599)) {
    throw new FaultRuleError(text, `status CODE must be from 400 to 599 (got ${action.status})`);
  }
  if (action.kind === 'secondary-rate-limit' && !(Number.isInteger(action.retryAfter) && action.retryAfter >= 0)) {
    throw new FaultRuleError(text, `secondary-rate-limit SECONDS must be a whole number from 0 up (got ${action.retryAfter})`);
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
  const compiled = rules.map((rule) => ({ rule: checkFaultRule(rule), pattern: globToRegExp(rule.path), seen: 0 }));
  return {
    next(path, page) {
      let fired: FaultAction | undefined;
      for (const entry of compiled) {
        if (!entry.pattern.test(path) || (entry.rule.page !== undefined && entry.rule.page !== page)) continue;
        entry.seen++;
        if (fired === undefined && (entry.rule.nth === undefined || entry.rule.nth === entry.seen)) fired = entry.rule.action;
      }
      return fired;
    },
  };
}

function globToRegExp(glob: string): RegExp {
  // PATH_CHARS already limits the glob to characters where only `.` and `*` mean something to RegExp.
  const body = glob
    .split('**')
    .map((part) => part.replaceAll('.', '\\.').replaceAll('*', '[^/]*'))
    .join('.*');
  return new RegExp(`^${body}$`, 'i');
}
