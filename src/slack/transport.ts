import { Agent, request } from 'undici';

/**
 * The `fetch` Bolt's WebClient sends paylink's Web API calls through (WebClient's documented `fetch` option).
 * A link costs four Slack calls; through the global fetch each one builds WHATWG streams, a Request and a
 * Response, which on this app's load was about a third of its CPU per link and a good part of its heap churn
 * (see README, Performance). undici's `request` on a keep-alive pool does the same exchange without them.
 *
 * WebClient's retries, rate-limit pauses, timeout (the `signal` it passes) and error types are untouched: they
 * live above `fetch`. Only what WebClient sends goes this way, a POST with a form-encoded string body; anything
 * else (a file upload's FormData) is handed to the global fetch.
 */
export interface SlackTransport {
  fetch: typeof fetch;
  close(): Promise<void>;
}

type RawHeaders = Record<string, string | string[] | undefined>;

/**
 * The part of a Response WebClient reads: status and statusText, url, headers.get / headers.entries, and the
 * body once as text, JSON or bytes. test/slack/transport.test.ts runs the installed WebClient through it, so an
 * upgrade that reads more fails there.
 */
class BufferedAnswer {
  readonly statusText = '';
  readonly headers: Pick<Headers, 'get' | 'entries'>;

  constructor(
    readonly url: string,
    readonly status: number,
    rawHeaders: RawHeaders,
    private readonly body: string,
  ) {
    this.headers = {
      get: (name) => headerValue(rawHeaders[name.toLowerCase()]),
      entries: () =>
        Object.entries(rawHeaders)
          .flatMap(([name, value]): [string, string][] => {
            const text = headerValue(value);
            return text === null ? [] : [[name, text]];
          })
          [Symbol.iterator](),
    };
  }

  async text(): Promise<string> {
    return this.body;
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.body);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return new TextEncoder().encode(this.body).buffer;
  }
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

export function createSlackTransport(): SlackTransport {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000 });

  async function slackFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    if (typeof input !== 'string' || init?.method !== 'POST' || typeof init.body !== 'string') {
      return fetch(input, init);
    }
    const answer = await request(input, {
      method: 'POST',
      headers: init.headers as Record<string, string>,
      body: init.body,
      signal: init.signal ?? undefined,
      dispatcher,
    });
    const body = await answer.body.text();
    return new BufferedAnswer(input, answer.statusCode, answer.headers, body) as unknown as Response;
  }

  return { fetch: slackFetch, close: () => dispatcher.close() };
}
