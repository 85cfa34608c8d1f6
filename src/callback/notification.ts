/**
 * SAFEDEBIT's `url_callback` notification, read without knowing its shape: the provider documents neither
 * its method, its encoding nor its fields. So this reads whatever arrives (query string, JSON, form), never throws, and only picks out a status and a
 * payment id from the names such notifications usually use.
 */

import { classifyStatus } from '../domain/payment-status.js';
import { parseJson } from '../http/read-body.js';

/** Names an envelope may give its own outcome too (`{"status": 200, "data": {"state": "SETTLED"}}`). */
const GENERIC_STATUS_FIELDS = ['status', 'statut', 'state', 'etat'] as const;
/** Field names that carry a status, best first; matched case-insensitively, also as the last part of a nested name. */
const STATUS_FIELDS = [
  'payment_status',
  'payment_state',
  'statut_paiement',
  'etat_paiement',
  'sdd_status',
  'transfer_status',
  'transaction_status',
  ...GENERIC_STATUS_FIELDS,
] as const;
/** A field whose name merely contains one of these is a status too, when none of the names above is present. */
const STATUS_NAME_PART = /status|statut/;
/** Field names that identify one payment, so two distinct events with the same status are not taken for one. */
const PAYMENT_ID_FIELDS = ['pay_id', 'payment_id', 'id_payment', 'transaction_id', 'sdd_reference', 'notification_id'];

/** Bounds on what is kept of a notification, whoever sends it: the token only says where it goes. */
const MAX_FIELDS = 200;
const MAX_DEPTH = 4;
const MAX_VALUE_CHARS = 1000;
/** A status is a short code; anything longer is cut before being shown in Slack. */
export const MAX_STATUS_CHARS = 64;

export interface NotificationInput {
  /** The query string, with or without its `?`. */
  query: string;
  /** The request body as received (possibly empty). */
  body: string;
  contentType?: string;
}

export interface ParsedNotification {
  /** The status as sent (trimmed, control characters removed, cut to MAX_STATUS_CHARS); absent if none found. */
  status?: string;
  /** A payment or notification id, when the notification carries one. */
  paymentId?: string;
  /** Every field read, nested names joined with dots; body fields win over query fields of the same name. */
  fields: Record<string, string>;
}

/** Reads a notification from its query string and body. Never throws: what cannot be read is left out. */
export function parseNotification(input: NotificationInput): ParsedNotification {
  // A Map, not an object: a field named `__proto__` or `constructor` is just a field.
  const read = new Map<string, string>();
  addFormFields(read, input.query.replace(/^\?/, ''));
  addBodyFields(read, input.body, input.contentType);
  const fields = Object.fromEntries(read);
  const status = cleanValue(findStatus(fields), MAX_STATUS_CHARS);
  const paymentId = cleanValue(findField(fields, PAYMENT_ID_FIELDS), MAX_VALUE_CHARS);
  return {
    ...(status === undefined ? {} : { status }),
    ...(paymentId === undefined ? {} : { paymentId }),
    fields,
  };
}

function addBodyFields(fields: Fields, body: string, contentType: string | undefined): void {
  const text = body.trim();
  if (text === '') return;
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  // JSON when declared, or when it looks like it whatever the declared type: PHP's curl posts a json_encode()
  // body as a form unless told otherwise, and no form body starts with `{` or `[`.
  const looksJson = type.endsWith('json') || /^[{[]/.test(text);
  if (looksJson) {
    const parsed = parseJson(quoteBigIntegers(text));
    if (parsed !== undefined) {
      addJsonFields(fields, parsed, '', 0);
      return;
    }
  }
  // Declared form, or anything shaped like one (including a "JSON" body that did not parse).
  if (type === 'application/x-www-form-urlencoded' || /^[^=&\s]+=/.test(text)) addFormFields(fields, text);
}

type Fields = Map<string, string>;

/** A JSON number at a given place (its fraction and exponent included). */
const JSON_NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * An id sent as a bare integer past 2^53 (PHP's json_encode writes 64-bit ids so) would be rounded by JSON.parse, and
 * two payments taken for one: such integers are read as the text sent. One pass over the text, strings skipped whole
 * (escapes included): a pattern matching strings, tried again at each quote of an unterminated one, took seconds on a
 * 64 KiB body of escaped quotes, the event loop held throughout.
 */
function quoteBigIntegers(json: string): string {
  let quoted = '';
  let copiedUpTo = 0;
  let at = 0;
  while (at < json.length) {
    const char = json[at] as string;
    if (char === '"') {
      at += 1;
      while (at < json.length && json[at] !== '"') at += json[at] === '\\' ? 2 : 1;
      at += 1;
    } else if (char === '-' || (char >= '0' && char <= '9')) {
      JSON_NUMBER.lastIndex = at;
      const token = JSON_NUMBER.exec(json)?.[0] ?? char;
      if (/^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token))) {
        quoted += `${json.slice(copiedUpTo, at)}"${token}"`;
        copiedUpTo = at + token.length;
      }
      at += token.length;
    } else {
      at += 1;
    }
  }
  return copiedUpTo === 0 ? json : quoted + json.slice(copiedUpTo);
}

function addFormFields(fields: Fields, encoded: string): void {
  if (encoded === '') return;
  // PHP's http_build_query nests as `data[pay_id]`: read as JSON's nested names are, `data.pay_id`.
  for (const [name, value] of new URLSearchParams(encoded))
    addField(fields, name.replace(/\[([^[\]]+)\]/g, '.$1'), value);
}

function addJsonFields(fields: Fields, value: unknown, name: string, depth: number): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'object') {
    if (depth >= MAX_DEPTH) return;
    for (const [key, inner] of Object.entries(value)) {
      addJsonFields(fields, inner, name === '' ? key : `${name}.${key}`, depth + 1);
    }
    return;
  }
  if (name !== '') addField(fields, name, String(value));
}

function addField(fields: Fields, name: string, value: string): void {
  if (!fields.has(name) && fields.size >= MAX_FIELDS) return;
  fields.set(name, value.slice(0, MAX_VALUE_CHARS));
}

/**
 * The status among the usual names, else a field whose name says status. Under a generic name, what an envelope may
 * say of itself (an HTTP-like 200, an `ok`, `success` or `true`) yields to a status paylink knows found elsewhere, and
 * a bare number to anything else that says one.
 */
function findStatus(fields: Record<string, string>): string | undefined {
  const generic: readonly string[] = GENERIC_STATUS_FIELDS;
  const mayBePayments = (name: string, value: string) =>
    !(generic.includes(lastPart(name)) && /^\d+$/.test(value.trim()));
  const surelyPayments = (name: string, value: string) =>
    mayBePayments(name, value) && (!generic.includes(lastPart(name)) || classifyStatus(value.trim()).known);
  // Under such a name, one paylink does not know must be a code, one word: a sentence (a `status_message`) may quote
  // the customer, and would be posted in the channel.
  const namedStatus = (known: boolean) =>
    Object.entries(fields).find(
      ([name, value]) =>
        STATUS_NAME_PART.test(lastPart(name)) &&
        value.trim() !== '' &&
        mayBePayments(name, value) &&
        (known ? classifyStatus(value).known : !/\s/.test(value.trim())),
    )?.[1];
  // Past the usual names, a number yields only to a status paylink knows (not a `status_date`, an `is_status_final`).
  return (
    findField(fields, STATUS_FIELDS, surelyPayments) ??
    namedStatus(true) ??
    findField(fields, STATUS_FIELDS, mayBePayments) ??
    findField(fields, STATUS_FIELDS) ??
    namedStatus(false)
  );
}

/** The first non-empty field among `names` (in that order) that `accepts`, top-level fields before nested ones. */
function findField(
  fields: Record<string, string>,
  names: readonly string[],
  accepts: (name: string, value: string) => boolean = () => true,
): string | undefined {
  const entries = Object.entries(fields).sort(([a], [b]) => a.split('.').length - b.split('.').length);
  for (const wanted of names) {
    const found = entries.find(
      ([name, value]) => lastPart(name) === wanted && value.trim() !== '' && accepts(name, value),
    );
    if (found) return found[1].trim();
  }
  return undefined;
}

const lastPart = (name: string) => name.slice(name.lastIndexOf('.') + 1).toLowerCase();

/**
 * A value kept in the ledger, on one line and cut to `max` characters: no control characters, which would break a
 * line in Slack, and NUL, which PostgreSQL's text refuses (every redelivery would fail as if the ledger were down).
 */
function cleanValue(value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  const cleaned = Array.from(value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim())
    .slice(0, max)
    .join('');
  return cleaned === '' ? undefined : cleaned;
}
