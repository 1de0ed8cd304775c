// The ONE raw-I/O primitive every style's workflow stands on: a callback-based GET over
// node:http(s) with one keep-alive agent per workflow run. It returns the raw status, headers and
// body, or the raw socket error, and creates no workflow error: status checks, parsing and the
// typed errors belong to each style's step functions, so every style's stack traces are its own.
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
  readonly token?: string;
}

export interface HttpClient {
  /** Starts a GET. After `close()` it starts nothing and never calls back: fail-fast means no new request. */
  get(url: string, callback: RawCallback): Abort;
  /** Aborts every request in flight and frees the agent's sockets. */
  close(): void;
  /** Requests started and not yet answered or aborted. */
  readonly inFlight: number;
}

// The same agent settings for every style (DESIGN.md, fairness rules).
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
  if (options.token !== undefined && options.token !== '') headers.authorization = `Bearer ${options.token}`;

  function get(url: string, callback: RawCallback): Abort {
    if (closed) return () => undefined;
    let settled = false;
    const isHttps = url.startsWith('https:');
    const request = (isHttps ? https : http).request(url, {
      method: 'GET',
      headers,
      agent: isHttps ? agents.https : agents.http,
      timeout: options.timeoutMs,
    });

    const finish = (error: Error | null, response?: RawResponse): void => {
      if (settled) return;
      settled = true;
      pending.delete(abort);
      if (error !== null) callback(error);
      else callback(null, response);
    };
    const abort: Abort = () => {
      if (settled) return;
      settled = true;
      pending.delete(abort);
      request.destroy();
    };
    pending.add(abort);

    request.on('timeout', () => {
      const error = Object.assign(new Error(`socket silent for ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' });
      request.destroy(error);
    });
    request.on('error', (error) => finish(error));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => finish(error));
      response.on('aborted', () => finish(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
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
