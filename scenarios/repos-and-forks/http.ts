// The ONE raw-I/O primitive every style's workflow stands on: a callback-based GET over
// node:http(s) with one keep-alive agent per workflow run. It returns the raw status, headers and
// body, or the raw socket error, and creates no workflow error: status checks, parsing and the
// typed errors belong to each style's step functions, so every style's stack traces are its own.
//
// What it guards against a hostile server, for every style at once (the raw errors it reports):
// - the token goes only to the API's own origin, and over plain http only to loopback unless the
//   caller opts in (`tokenOverHttp`): a `link` to another host never carries it;
// - silence longer than `timeoutMs` is `ETIMEDOUT`; a response still incomplete `deadlineMs` after
//   the request started (one that trickles a byte at a time) is `ETIMEDOUT` with `deadlineMs` set;
// - a body over `maxBodyBytes` (by Content-Length, or counted as it arrives) is `ERR_BODY_TOO_LARGE`,
//   so no string larger than the cap is ever built.
import http from 'node:http';
import https from 'node:https';

export interface RawResponse {
  readonly url: string;
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** Error-first, like every Node callback: exactly one of the two is set. */
export type RawCallback = (error: Error | null, response?: RawResponse) => void;

/** Cancels one request; its callback will not be called afterwards. Calling it twice is harmless. */
export type Abort = () => void;

export interface HttpClientOptions {
  /** Silence on the socket for this long destroys the request with an `ETIMEDOUT` raw error. */
  readonly timeoutMs: number;
  /** A request not complete this long after it started: `ETIMEDOUT` with `deadlineMs` (default 60 s). */
  readonly deadlineMs?: number;
  /** A body larger than this: `ERR_BODY_TOO_LARGE` (default 32 MiB). */
  readonly maxBodyBytes?: number;
  readonly token?: string;
  /** The token is sent only to this URL's origin; without it the token is never sent. */
  readonly apiUrl?: string;
  /** Send the token over plain http to a host that is not loopback (off: only https or loopback). */
  readonly tokenOverHttp?: boolean;
}

export const DEFAULT_DEADLINE_MS = 60_000;
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * Whether a request to `url` may carry the token of a client for `apiUrl`: same origin (scheme, host
 * and port), and https or a loopback host unless plain http is allowed. Pure, for the tests.
 */
export function mayCarryToken(url: string, apiUrl: string | undefined, tokenOverHttp = false): boolean {
  if (apiUrl === undefined) return false;
  let target: URL;
  let api: URL;
  try {
    target = new URL(url);
    api = new URL(apiUrl);
  } catch {
    return false;
  }
  if (target.origin !== api.origin || target.origin === 'null') return false;
  if (target.protocol === 'https:') return true;
  return target.protocol === 'http:' && (tokenOverHttp || isLoopbackHost(target.hostname));
}

/** `localhost`, 127.0.0.0/8 and ::1: traffic that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

function rawError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

export interface HttpClient {
  /** Starts a GET. After `close()` it starts nothing and never calls back: fail-fast means no new request. */
  get(url: string, callback: RawCallback): Abort;
  /** Aborts every request in flight and frees the agent's sockets. */
  close(): void;
  /** Requests started and not yet answered or aborted. */
  readonly inFlight: number;
}

// The same agent settings for every style (DESIGN.md, "Fairness rules").
const AGENT_OPTIONS: http.AgentOptions = { keepAlive: true, keepAliveMsecs: 1_000, maxSockets: Infinity };

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const agents = { http: new http.Agent(AGENT_OPTIONS), https: new https.Agent(AGENT_OPTIONS) };
  const pending = new Set<Abort>();
  let closed = false;
  const headers: http.OutgoingHttpHeaders = {
    accept: 'application/vnd.github+json',
    'user-agent': 'async-rosetta',
    'x-github-api-version': '2022-11-28',
  };
  const token = options.token !== undefined && options.token !== '' ? options.token : undefined;
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  function get(url: string, callback: RawCallback): Abort {
    if (closed) return () => undefined;
    let settled = false;
    let request: http.ClientRequest;
    const isHttps = url.startsWith('https:');
    const withToken = token !== undefined && mayCarryToken(url, options.apiUrl, options.tokenOverHttp);
    try {
      request = (isHttps ? https : http).request(url, {
        method: 'GET',
        headers: withToken ? { ...headers, authorization: `Bearer ${token}` } : headers,
        agent: isHttps ? agents.https : agents.http,
        timeout: options.timeoutMs,
      });
    } catch (error) {
      // A URL node:http refuses (bad scheme, bad host): a raw error, reported asynchronously like any other.
      const raw = error instanceof Error ? error : rawError(String(error), {});
      process.nextTick(() => callback(raw));
      return () => undefined;
    }

    const finish = (error: Error | null, response?: RawResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      pending.delete(abort);
      if (error !== null) callback(error);
      else callback(null, response);
    };
    const abort: Abort = () => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      pending.delete(abort);
      request.destroy();
    };
    // Settles first, then destroys: once the response has begun, destroying reports a generic
    // 'aborted' before any error given to destroy(), and the caller must hear the real reason.
    const fail = (error: Error): void => {
      finish(error);
      request.destroy();
    };
    // The total deadline: armed for the request's whole life, cleared the moment it settles.
    const deadline = setTimeout(() => {
      fail(rawError(`response not complete within ${deadlineMs} ms`, { code: 'ETIMEDOUT', deadlineMs }));
    }, deadlineMs);
    pending.add(abort);

    request.on('timeout', () => {
      fail(rawError(`socket silent for ${options.timeoutMs} ms`, { code: 'ETIMEDOUT' }));
    });
    request.on('error', (error) => finish(error));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      const tooLarge = (): void => {
        fail(rawError(`response body over ${maxBodyBytes} bytes`, { code: 'ERR_BODY_TOO_LARGE', maxBodyBytes }));
      };
      response.on('error', (error) => finish(error));
      response.on('aborted', () => finish(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
      if (Number(response.headers['content-length'] ?? 0) > maxBodyBytes) {
        tooLarge();
        return;
      }
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > maxBodyBytes) tooLarge();
        else chunks.push(chunk);
      });
      response.on('end', () => {
        if (!response.complete) {
          finish(Object.assign(new Error('response ended before it was complete'), { code: 'ECONNRESET' }));
          return;
        }
        finish(null, {
          url,
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    request.end();
    return abort;
  }

  return {
    get,
    close() {
      closed = true;
      for (const abort of [...pending]) abort();
      agents.http.destroy();
      agents.https.destroy();
    },
    get inFlight() {
      return pending.size;
    },
  };
}
