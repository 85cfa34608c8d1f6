import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseJson, readBody } from '../../src/http/read-body.js';
import type { SafedebitRefusal } from '../../src/safedebit/outcome.js';
import { checkLinkRequest, type LinkAnswer, LinkIssuer } from '../../src/safedebit/sandbox.js';
import { type ContractReading, contractProblem, DEFAULT_READING } from './safedebit-contract.js';

/**
 * A stand-in for SAFEDEBIT's `get_link_payment` on a loopback port of its own, for tests and the bench: it
 * answers as the built-in sandbox does (the same checks and links, src/safedebit/sandbox.ts), records every
 * request, and can be told to misbehave in the ways the client must report as outages.
 */

/**
 * How the stand-in answers. 'normal' follows the documented contract; 'refuse' answers one refusal to everything;
 * the others are the faults the client must report as outages.
 */
export type StandinMode =
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

export interface SafedebitStandin {
  /** The API base to give the client, e.g. `http://127.0.0.1:PORT/ssp`. */
  url: string;
  setMode(mode: StandinMode): void;
  /** Every request received, oldest first. */
  requests: RecordedRequest[];
  /** Stops listening and ends every connection, hanging ones included. */
  close(): Promise<void>;
}

export interface StandinOptions {
  login: string;
  password: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /**
   * How to read what the contract leaves open (safedebit-contract.ts); by default the reading paylink chose. The
   * environment's SAFEDEBIT_STANDIN_LENGTH_IN and SAFEDEBIT_STANDIN_PHONE override it, to probe a whole test run.
   */
  reading?: Partial<ContractReading>;
}

function readingFrom(options: StandinOptions): ContractReading {
  const fromEnv: Partial<ContractReading> = {};
  const lengthIn = process.env.SAFEDEBIT_STANDIN_LENGTH_IN;
  if (lengthIn === 'bytes' || lengthIn === 'characters') fromEnv.lengthIn = lengthIn;
  const phone = process.env.SAFEDEBIT_STANDIN_PHONE;
  if (phone === 'any' || phone === 'mobile' || phone === 'national') fromEnv.phone = phone;
  return { ...DEFAULT_READING, ...options.reading, ...fromEnv };
}

/** The docs' example path; the real base is configuration. */
const BASE_PATH = '/ssp';
const BODY_LIMITS = { maxBodyBytes: 64 * 1024, bodyTimeoutMs: 10_000 };
const FILLER_CHUNK = Buffer.alloc(64 * 1024, 'a');
const MAINTENANCE_PAGE =
  '<!doctype html><html><head><title>Maintenance</title></head><body><h1>Service en maintenance</h1></body></html>';

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function sendAnswer(response: ServerResponse, answer: LinkAnswer): void {
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

export async function startSafedebitStandin(options: StandinOptions): Promise<SafedebitStandin> {
  const host = options.host ?? '127.0.0.1';
  let mode: StandinMode = { kind: 'normal' };
  const requests: RecordedRequest[] = [];
  let baseUrl = '';
  const issuer = new LinkIssuer((id) => `${baseUrl}/paypage?SDESSID=${id}`);
  const reading = readingFrom(options);

  /** The credentials first, then the contract's own table (safedebit-contract.ts), then the sandbox's checks. */
  function answerNormally(request: IncomingMessage, rawBody: string): LinkAnswer {
    const checked = checkLinkRequest(request.headers.authorization, rawBody, options);
    const credentialsRefused = !checked.ok && !checked.answer.result && checked.answer.code?.startsWith('AUTH_');
    if (!credentialsRefused) {
      const code = contractProblem(request.headers['content-type'], parseJson(rawBody), reading);
      if (code !== undefined) return { result: false, code };
    }
    return checked.ok ? issuer.issue(checked.request) : checked.answer;
  }

  function answerLinkRequest(request: IncomingMessage, response: ServerResponse, rawBody: string): void {
    const current = mode;
    switch (current.kind) {
      case 'normal':
        sendAnswer(response, answerNormally(request, rawBody));
        break;
      case 'refuse':
        sendAnswer(
          response,
          current.code === undefined
            ? { result: false, message: current.message }
            : {
                result: false,
                code: current.code,
                ...(current.message === undefined ? {} : { message: current.message }),
              },
        );
        break;
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
        const timer = setTimeout(() => sendAnswer(response, answerNormally(request, rawBody)), current.delayMs);
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

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const read = await readBody(request, BODY_LIMITS);
    if (!read.ok) {
      if (read.reason === 'too_large') send(response, 413, 'text/plain; charset=utf-8', 'request body too large');
      else response.destroy();
      return;
    }
    const rawBody = read.body.toString('utf8');
    const { authorization: _credentials, ...headers } = request.headers;
    const path = request.url ?? '/';
    requests.push({ method: request.method ?? '', path, headers, rawBody, body: parseJson(rawBody) });
    if (request.method === 'POST' && new URL(path, 'http://standin').pathname === `${BASE_PATH}/get_link_payment`) {
      answerLinkRequest(request, response, rawBody);
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
    // Closed early by a test that takes SAFEDEBIT's host down, then again by its harness.
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
