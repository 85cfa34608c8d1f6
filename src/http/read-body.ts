import type { IncomingMessage } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { formInUtf8, textDecoderFor } from './charset.js';

export interface BodyLimits {
  /** Anything larger is refused without being read to the end. */
  maxBodyBytes: number;
  /** A sender that trickles its body slower than this is cut off. */
  bodyTimeoutMs: number;
}

export type BodyRead = { ok: true; body: Buffer } | { ok: false; reason: 'too_large' | 'timeout' | 'aborted' };

/** The body, up to `maxBodyBytes`: reading stops as soon as it is exceeded, so a huge body is never held. */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<BodyRead> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBodyBytes) {
    return Promise.resolve({ ok: false, reason: 'too_large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyRead) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onAbort).off('close', onAbort);
      if (!result.ok) req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBodyBytes) finish({ ok: false, reason: 'too_large' });
      else chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, body: Buffer.concat(chunks) });
    const onAbort = () => finish({ ok: false, reason: 'aborted' });
    const timer = setTimeout(() => finish({ ok: false, reason: 'timeout' }), limits.bodyTimeoutMs);
    req.on('data', onData).on('end', onEnd).on('error', onAbort).on('close', onAbort);
  });
}

/** The content codings paylink reads, as an Accept-Encoding header names them to a sender it refused. */
export const READABLE_CONTENT_CODINGS = 'gzip, deflate, br';

const DECOMPRESSORS: ReadonlyMap<string, typeof gunzipSync> = new Map([
  ['gzip', gunzipSync],
  ['x-gzip', gunzipSync],
  ['deflate', inflateSync],
  ['br', brotliDecompressSync],
]);

export type BodyDecompressed =
  | { ok: true; body: Buffer }
  | { ok: false; reason: 'unsupported_encoding' | 'undecodable_body' | 'too_large' };

/**
 * The body with the content codings its sender applied undone, last applied first (a sender or a proxy may compress
 * what it posts). Each is inflated to `maxBodyBytes` at most: a small body that would inflate to gigabytes is refused
 * before it is.
 */
export function decompressBody(
  body: Buffer,
  contentEncoding: string | undefined,
  maxBodyBytes: number,
): BodyDecompressed {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  let decoded = body;
  for (const coding of codings.reverse()) {
    const decompress = DECOMPRESSORS.get(coding);
    if (!decompress) return { ok: false, reason: 'unsupported_encoding' };
    try {
      decoded = decompress(decoded, { maxOutputLength: maxBodyBytes });
    } catch (error) {
      const tooLarge = (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
      return { ok: false, reason: tooLarge ? 'too_large' : 'undecodable_body' };
    }
  }
  return { ok: true, body: decoded };
}

/**
 * The body as text, in the charset its Content-Type declares (UTF-8 by default). A multipart form (what PHP's curl
 * sends for an array of fields) is turned into its url-encoded equivalent; one that cannot be read as multipart is
 * read as text.
 */
export async function decodeBody(
  body: Buffer,
  contentType: string | undefined,
): Promise<{ body: string; contentType?: string }> {
  if (!contentType?.toLowerCase().startsWith('multipart/form-data')) {
    const decoder = textDecoderFor(contentType);
    const text = decoder.decode(body);
    // A form in another charset than UTF-8 is turned into the same form in UTF-8, which is how it is read; not JSON
    // labelled a form (PHP's curl posts json_encode() so), which is read as JSON.
    const form = contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded');
    if (decoder.encoding !== 'utf-8' && form && !/^\s*[{[]/.test(text)) {
      return { body: formInUtf8(body, decoder), contentType: 'application/x-www-form-urlencoded' };
    }
    return { body: text, ...(contentType === undefined ? {} : { contentType }) };
  }
  try {
    const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    const fields = new URLSearchParams();
    for (const [name, value] of form) if (typeof value === 'string') fields.append(name, value);
    return { body: fields.toString(), contentType: 'application/x-www-form-urlencoded' };
  } catch {
    // Not a multipart after all (JSON or a form, mislabelled): read as what it looks like, as any body is.
    return { body: body.toString('utf8') };
  }
}

/** A body's text as JSON; undefined when it is empty or not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
