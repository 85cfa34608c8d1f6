import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import type { SafedebitRefusal } from './outcome.js';
import { paymentLinkRequestSchema } from './request.js';

/**
 * How the sandbox answers `get_link_payment`. 'normal' follows the documented contract; 'refuse' answers
 * one code to everything; the others are the faults the client must report as outages.
 */
export type SandboxMode =
  | { kind: 'normal' }
  /** Refuses everything with this code and/or these words (`message`), as SAFEDEBIT may answer. */
  | ({ kind: 'refuse' } & SafedebitRefusal)
  | { kind: 'status'; status: number }
  /** A 200 HTML maintenance page, as a proxy in front of the API would serve. */
  | { kind: 'html' }
  /** Reads the request and never answers. */
  | { kind: 'hang' }
  /** Reads the request, then destroys the socket. */
  | { kind: 'drop' }
  /** Answers as in 'normal' mode, after the delay. */
  | { kind: 'slow'; delayMs: number }
  /** Streams a JSON-looking body of that many bytes, without content-length. */
  | { kind: 'huge'; bytes: number }
  | { kind: 'not_json' }
  /** Valid JSON of neither documented form. */
  | { kind: 'shape' };

export interface RecordedRequest {
  method: string;
  /** Path and query string. */
  path: string;
  /** All request headers but `authorization`. */
  headers: IncomingHttpHeaders;
  /** The body exactly as received, for wire-level assertions. */
  rawBody: string;
  /** The body parsed as JSON; undefined when it is empty or not JSON. */
  body: unknown;
}

export interface Sandbox {
  /** The API base to give the client, e.g. `http://127.0.0.1:PORT/ssp`. */
  url: string;
  setMode(mode: SandboxMode): void;
  /** Every request received, oldest first. */
  requests: RecordedRequest[];
  /** Stops listening and ends every connection, hanging ones included. */
  close(): Promise<void>;
}

export interface SandboxOptions {
  login: string;
  password: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
}

type Answer = { result: true; link: string; pay_id?: string } | ({ result: false } & SafedebitRefusal);

/** The docs' example path; the real base is configuration. */
const BASE_PATH = '/ssp';
const MAX_REQUEST_BYTES = 64 * 1024;
const FILLER_CHUNK = Buffer.alloc(64 * 1024, 'a');
const MAINTENANCE_PAGE =
  '<!doctype html><html><head><title>Maintenance</title></head><body><h1>Service en maintenance</h1></body></html>';

const refusal = (code: string): Answer => ({ result: false, code });

/**
 * The annex lists no code for an invalid parameter, so the sandbox answers its own, recognisably fake
 * ones: SANDBOX_INVALID_<FIELD> (missing, too long or mistyped), SANDBOX_UNKNOWN_FIELD, SANDBOX_INVALID_BODY.
 */
function invalidRequestCode(issue: z.core.$ZodIssue | undefined): string {
  if (issue?.code === 'unrecognized_keys') return 'SANDBOX_UNKNOWN_FIELD';
  const field = issue?.path[0];
  return typeof field === 'string' ? `SANDBOX_INVALID_${field.toUpperCase()}` : 'SANDBOX_INVALID_BODY';
}

function parseBasicAuth(header: string | undefined): { login: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const pair = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = pair.indexOf(':');
  return colon < 0 ? undefined : { login: pair.slice(0, colon), password: pair.slice(colon + 1) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function escapeHtml(text: string): string {
  const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  return text.replace(/[&<>"']/g, (char) => entities[char] ?? char);
}

/** "123456" cents → "1234.56 EUR"; BigInt because 18 digits exceed a double's precision. */
function formatCents(amount: string): string {
  const cents = BigInt(amount);
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')} EUR`;
}

/** The body as text, or undefined past MAX_REQUEST_BYTES. */
async function readRequestBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function sendAnswer(response: ServerResponse, answer: Answer): void {
  send(response, 200, 'application/json', JSON.stringify(answer));
}

/** Writes `bytes` bytes with back-pressure, giving up as soon as the client goes away. */
function streamHugeBody(response: ServerResponse, bytes: number): void {
  const opening = '{"result":true,"padding":"';
  let fillerLeft = Math.max(0, bytes - opening.length - 2);
  response.writeHead(200, { 'content-type': 'application/json' });
  response.write(opening);
  const writeMore = () => {
    while (fillerLeft > 0 && !response.destroyed) {
      const size = Math.min(fillerLeft, FILLER_CHUNK.length);
      fillerLeft -= size;
      if (!response.write(FILLER_CHUNK.subarray(0, size))) {
        response.once('drain', writeMore);
        return;
      }
    }
    if (!response.destroyed) response.end('"}');
  };
  writeMore();
}

/** A local stand-in for SAFEDEBIT's `get_link_payment`, for development and tests. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  let mode: SandboxMode = { kind: 'normal' };
  const requests: RecordedRequest[] = [];
  const usedPaymentReferences = new Set<string>();
  const paymentPages = new Map<string, { amount: string; reference: string }>();
  let baseUrl = '';

  function answerNormally(authorization: string | undefined, rawBody: string): Answer {
    const credentials = parseBasicAuth(authorization);
    if (credentials?.login !== options.login) return refusal('AUTH_001');
    if (credentials.password !== options.password) return refusal('AUTH_002');
    const parsed = paymentLinkRequestSchema.safeParse(parseJson(rawBody));
    if (!parsed.success) return refusal(invalidRequestCode(parsed.error.issues[0]));
    const { payment_reference: reference, amount, get_pay_id: wantsPaymentId } = parsed.data;
    if (usedPaymentReferences.has(reference)) return refusal('EXIST_005');
    usedPaymentReferences.add(reference);
    const sessionId = randomBytes(16).toString('hex');
    paymentPages.set(sessionId, { amount, reference });
    const link = `${baseUrl}/paypage?SDESSID=${sessionId}`;
    // What get_pay_id really adds is undocumented; the sandbox's `pay_id` is a guess.
    return wantsPaymentId ? { result: true, link, pay_id: randomBytes(8).toString('hex') } : { result: true, link };
  }

  function answerLinkRequest(request: IncomingMessage, response: ServerResponse, rawBody: string): void {
    const current = mode;
    switch (current.kind) {
      case 'normal':
        sendAnswer(response, answerNormally(request.headers.authorization, rawBody));
        break;
      case 'refuse': {
        const { kind: _refuse, ...reason } = current;
        sendAnswer(response, { result: false, ...reason });
        break;
      }
      case 'status':
        send(response, current.status, 'application/json', '{"error":"sandbox fault"}');
        break;
      case 'html':
        send(response, 200, 'text/html; charset=utf-8', MAINTENANCE_PAGE);
        break;
      case 'hang':
        break;
      case 'drop':
        request.socket.destroy();
        break;
      case 'slow': {
        const timer = setTimeout(
          () => sendAnswer(response, answerNormally(request.headers.authorization, rawBody)),
          current.delayMs,
        );
        response.on('close', () => clearTimeout(timer));
        break;
      }
      case 'huge':
        streamHugeBody(response, current.bytes);
        break;
      case 'not_json':
        send(response, 200, 'application/json', 'result=true');
        break;
      case 'shape':
        send(response, 200, 'application/json', JSON.stringify({ status: 'ok', url: `${baseUrl}/paypage` }));
        break;
    }
  }

  function servePaymentPage(response: ServerResponse, sessionId: string | null): void {
    const page = sessionId === null ? undefined : paymentPages.get(sessionId);
    if (page === undefined) {
      send(response, 404, 'text/plain; charset=utf-8', 'unknown payment session');
      return;
    }
    const title = `SAFEDEBIT SANDBOX — payment page for ${formatCents(page.amount)} ref ${page.reference}`;
    send(
      response,
      200,
      'text/html; charset=utf-8',
      `<!doctype html><html><head><meta charset="utf-8"><title>SAFEDEBIT SANDBOX</title></head><body><h1>${escapeHtml(title)}</h1></body></html>`,
    );
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const rawBody = await readRequestBody(request);
    if (rawBody === undefined) {
      send(response, 413, 'text/plain; charset=utf-8', 'request body too large');
      return;
    }
    const { authorization: _credentials, ...headers } = request.headers;
    const path = request.url ?? '/';
    requests.push({ method: request.method ?? '', path, headers, rawBody, body: parseJson(rawBody) });
    const url = new URL(path, 'http://sandbox');
    if (request.method === 'POST' && url.pathname === `${BASE_PATH}/get_link_payment`) {
      answerLinkRequest(request, response, rawBody);
    } else if (request.method === 'GET' && url.pathname === `${BASE_PATH}/paypage`) {
      servePaymentPage(response, url.searchParams.get('SDESSID'));
    } else {
      send(response, 404, 'text/plain; charset=utf-8', 'not found');
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}${BASE_PATH}`;

  return {
    url: baseUrl,
    setMode(next) {
      mode = next;
    },
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
