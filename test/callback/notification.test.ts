import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_STATUS_CHARS, parseNotification } from '../../src/callback/notification.js';
import { decodeBody } from '../../src/http/read-body.js';

const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';

describe('parseNotification', () => {
  it('reads a JSON body', () => {
    const parsed = parseNotification({
      query: '',
      body: JSON.stringify({ payment_status: 'SETTLED', pay_id: 'P-1', amount: 125050, paid: true }),
      contentType: 'application/json; charset=utf-8',
    });
    expect(parsed).toEqual({
      status: 'SETTLED',
      paymentId: 'P-1',
      fields: { payment_status: 'SETTLED', pay_id: 'P-1', amount: '125050', paid: 'true' },
    });
  });

  it('keeps a payment id without control characters: PostgreSQL refuses NUL, and a line break would show', () => {
    const parsed = parseNotification({
      query: '',
      body: JSON.stringify({ payment_status: 'SETTLED', pay_id: ' P-1\u0000\n' }),
      contentType: 'application/json',
    });
    expect(parsed.paymentId).toBe('P-1');
    const onlyControls = parseNotification({ query: 'pay_id=%00%01', body: '', contentType: FORM_TYPE });
    expect(onlyControls.paymentId).toBeUndefined();
  });

  it('reads a form-encoded body', () => {
    const parsed = parseNotification({
      query: '',
      body: 'status=REJECTED&payment_id=P+2&note=%C3%A9',
      contentType: FORM_TYPE,
    });
    expect(parsed).toEqual({
      status: 'REJECTED',
      paymentId: 'P 2',
      fields: { status: 'REJECTED', payment_id: 'P 2', note: 'é' },
    });
  });

  it('reads the query string, with or without its "?", body fields winning', () => {
    expect(parseNotification({ query: '?sdd_status=ISSUED', body: '' }).status).toBe('ISSUED');
    expect(
      parseNotification({ query: 'status=ISSUED&pay_id=1', body: 'status=SETTLED', contentType: FORM_TYPE }),
    ).toEqual({ status: 'SETTLED', paymentId: '1', fields: { status: 'SETTLED', pay_id: '1' } });
  });

  it('reads nested JSON and arrays under dotted names', () => {
    const parsed = parseNotification({
      query: '',
      body: JSON.stringify({ data: { payment: { status: 'CREDITED' } }, events: [{ id: 'E1' }] }),
      contentType: JSON_TYPE,
    });
    expect(parsed.status).toBe('CREDITED');
    expect(parsed.fields).toEqual({ 'data.payment.status': 'CREDITED', 'events.0.id': 'E1' });
  });

  it("reads a form's nested names (PHP's http_build_query: data[pay_id]) as JSON's, under dotted names", () => {
    const body = 'data%5Bhttp_status%5D=200&data%5Bpayment_status%5D=SETTLED&data%5Bpayment%5D%5Bpay_id%5D=P-2';
    expect(parseNotification({ query: '', body, contentType: FORM_TYPE })).toEqual({
      status: 'SETTLED',
      paymentId: 'P-2',
      fields: { 'data.http_status': '200', 'data.payment_status': 'SETTLED', 'data.payment.pay_id': 'P-2' },
    });
    expect(parseNotification({ query: 'list%5B%5D=a&pay_id=7', body: '' }).paymentId).toBe('7');
  });

  it('keeps a JSON integer too big for a double as sent: two payment ids past 2^53 stay two', () => {
    const idOf = (body: string) => parseNotification({ query: '', body, contentType: JSON_TYPE }).paymentId;
    expect(idOf('{"status":"SETTLED","pay_id":9007199254740993}')).toBe('9007199254740993');
    expect(idOf('{"status":"SETTLED","pay_id":9007199254740992}')).toBe('9007199254740992');
    expect(idOf('{"pay_id":-12345678901234567890,"status":"SETTLED"}')).toBe('-12345678901234567890');
    // Numbers a double holds, and digits inside strings, are read as before.
    expect(idOf('{"pay_id":42,"note":"12345678901234567890 \\" 98765432109876543210"}')).toBe('42');
    expect(idOf('{"pay_id":1.5e300}')).toBe('1.5e+300');
    const note = parseNotification({ query: '', body: '{"note":"a\\"12345678901234567890"}', contentType: JSON_TYPE });
    expect(note.fields).toEqual({ note: 'a"12345678901234567890' });
  });

  it('prefers the most specific status field, then a top-level one', () => {
    const body = JSON.stringify({ status: 'OK', payment_status: 'RETURNED', data: { sdd_status: 'SETTLED' } });
    expect(parseNotification({ query: '', body, contentType: JSON_TYPE }).status).toBe('RETURNED');
    const nested = JSON.stringify({ data: { status: 'SETTLED' }, status: 'CANCELED' });
    expect(parseNotification({ query: '', body: nested, contentType: JSON_TYPE }).status).toBe('CANCELED');
  });

  it('falls back to any field whose name says status, and skips empty ones', () => {
    expect(parseNotification({ query: 'paymentStatus=SETTLED', body: '' }).status).toBe('SETTLED');
    expect(parseNotification({ query: 'StatutPaiement=REJETE', body: '' }).status).toBe('REJETE');
    expect(parseNotification({ query: 'status=&etat=WAITING', body: '' }).status).toBe('WAITING');
    expect(parseNotification({ query: 'STATUS=Settled', body: '' }).status).toBe('Settled');
  });

  it('takes a sentence under a name that merely says status for no status: it may quote the customer', () => {
    const body = JSON.stringify({ status_message: 'Refusé : M. Dupont a contesté le prélèvement', ref: 'F-1' });
    expect(parseNotification({ query: '', body, contentType: 'application/json' }).status).toBeUndefined();
    // A code under such a name, or a sentence under a usual one (shown as received), still is.
    expect(parseNotification({ query: 'statusCode=PENDING_BANK', body: '' }).status).toBe('PENDING_BANK');
    expect(parseNotification({ query: `status=${encodeURIComponent('en attente')}`, body: '' }).status).toBe(
      'en attente',
    );
  });

  it('reads a payment state under its usual names, French ones too', () => {
    for (const name of ['payment_state', 'etat_paiement', 'statut_paiement', 'data[payment_state]']) {
      expect(parseNotification({ query: '', body: `id=7&${name}=SETTLED`, contentType: FORM_TYPE }).status).toBe(
        'SETTLED',
      );
    }
  });

  it("takes an envelope's numeric status (an HTTP-like 200) for the payment's only when nothing else says one", () => {
    const status = (value: object) =>
      parseNotification({ query: '', body: JSON.stringify(value), contentType: JSON_TYPE }).status;
    expect(status({ status: 200, data: { state: 'SETTLED' } })).toBe('SETTLED');
    expect(status({ code: 0, status: 1, result: { paymentStatusLabel: 'REJECTED' } })).toBe('REJECTED');
    // A payment's own status field is the payment's, numeric or not; and a number alone is still a status.
    expect(status({ payment_status: 3, status: 'ok' })).toBe('3');
    expect(status({ status: 4 })).toBe('4');
    // Not to a field that merely names itself after the status: its date, a flag.
    expect(status({ pay_id: 'P-1', status: 1, status_date: '2026-11-29T10:00:00Z' })).toBe('1');
    expect(status({ pay_id: 'P-1', statut: 3, is_status_final: true })).toBe('3');
  });

  it("takes an envelope's outcome written as a word or a boolean for the payment's only when nothing else says one", () => {
    const status = (value: object) =>
      parseNotification({ query: '', body: JSON.stringify(value), contentType: JSON_TYPE }).status;
    expect(status({ status: 'success', data: { state: 'SETTLED' } })).toBe('SETTLED');
    expect(status({ status: 'ok', payment: { state: 'SETTLED' } })).toBe('SETTLED');
    expect(status({ status: true, data: { status: 'SETTLED' } })).toBe('SETTLED');
    expect(status({ status: 'OK', etat: 'SETTLED' })).toBe('SETTLED');
    // Alone, it is still what the notification says, shown as received.
    expect(status({ status: 'success', data: { pay_id: 'P-1' } })).toBe('success');
  });

  it('reads a body shaped to make a pattern backtrack (an unterminated string of escaped quotes) in one pass', () => {
    // 64 KiB, the most a callback reads: a scan restarting at each quote took about 3 s, the event loop held throughout.
    const body = `{"${'\\"'.repeat(32_000)}`;
    const started = performance.now();
    const parsed = parseNotification({ query: '', body, contentType: JSON_TYPE });
    expect(performance.now() - started).toBeLessThan(250);
    expect(parsed.status).toBeUndefined();
  });

  it('sniffs a body sent without (or with a wrong) content type', () => {
    expect(parseNotification({ query: '', body: '{"status":"SETTLED"}' }).status).toBe('SETTLED');
    expect(parseNotification({ query: '', body: '{"status":"SETTLED"}', contentType: 'text/plain' }).status).toBe(
      'SETTLED',
    );
    expect(
      parseNotification({ query: '', body: 'status=SETTLED', contentType: 'application/octet-stream' }).status,
    ).toBe('SETTLED');
    expect(parseNotification({ query: '', body: 'status=SETTLED', contentType: JSON_TYPE }).status).toBe('SETTLED');
  });

  it("reads JSON sent as a form, as PHP's curl sends json_encode() unless told otherwise", () => {
    const form = 'application/x-www-form-urlencoded';
    const parsed = (body: string) => parseNotification({ query: '', body, contentType: form });
    expect(parsed('{"payment_status":"SETTLED"}').status).toBe('SETTLED');
    expect(parsed('{"payment_status":"SETTLED","signature":"c2lnbg=="}').status).toBe('SETTLED');
    expect(parsed('[{"status":"SETTLED"}]').status).toBe('SETTLED');
    expect(parsed('status=SETTLED&pay_id=42')).toMatchObject({ status: 'SETTLED', paymentId: '42' });
  });

  it('cleans the status: trimmed, no control characters, cut to a short code', () => {
    expect(parseNotification({ query: `status=${encodeURIComponent('  SET\u0000TLED\n ')}`, body: '' }).status).toBe(
      'SETTLED',
    );
    expect(parseNotification({ query: 'status=%20%0A', body: '' }).status).toBeUndefined();
    const long = parseNotification({ query: `status=${'😀'.repeat(100)}`, body: '' }).status ?? '';
    expect(Array.from(long)).toHaveLength(MAX_STATUS_CHARS);
    expect(long).not.toContain('\uFFFD');
  });

  it('keeps a field named __proto__ or constructor as a plain field', () => {
    const parsed = parseNotification({
      query: '__proto__=x&constructor=y',
      body: '{"__proto__":{"status":"SETTLED"}}',
      contentType: JSON_TYPE,
    });
    expect(Object.getPrototypeOf(parsed.fields)).toBe(Object.prototype);
    expect(Object.keys(parsed.fields).sort()).toEqual(['__proto__', '__proto__.status', 'constructor']);
    expect(parsed.status).toBe('SETTLED');
  });

  it('bounds what it keeps: field count, value length, nesting depth', () => {
    const many = Object.fromEntries(Array.from({ length: 1000 }, (_, index) => [`f${index}`, 'v'.repeat(5000)]));
    const parsed = parseNotification({ query: '', body: JSON.stringify(many), contentType: JSON_TYPE });
    expect(Object.keys(parsed.fields)).toHaveLength(200);
    expect(Object.values(parsed.fields).every((value) => value.length === 1000)).toBe(true);
    const deep = `${'{"a":'.repeat(5000)}"SETTLED"${'}'.repeat(5000)}`;
    expect(parseNotification({ query: '', body: deep, contentType: JSON_TYPE })).toEqual({ fields: {} });
  });

  it.each([
    ['empty', '', JSON_TYPE],
    ['broken JSON', '{"status": ', JSON_TYPE],
    ['JSON null', 'null', JSON_TYPE],
    ['a JSON string', '"SETTLED"', JSON_TYPE],
    ['a JSON number', '42', JSON_TYPE],
    ['XML', '<notification><status>SETTLED</status></notification>', 'application/xml'],
    ['binary', '\u0000\u00ff\ufffd', 'application/octet-stream'],
  ])('%s: no status, no crash', (_label, body, contentType) => {
    expect(parseNotification({ query: '', body, contentType }).status).toBeUndefined();
  });

  it('never throws, whatever arrives', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.oneof(fc.string(), fc.json()),
        fc.option(fc.constantFrom(JSON_TYPE, FORM_TYPE, 'text/plain', 'multipart/form-data', ''), { nil: undefined }),
        (query, body, contentType) => {
          const parsed = parseNotification({ query, body, ...(contentType === undefined ? {} : { contentType }) });
          expect(typeof parsed.fields).toBe('object');
          if (parsed.status !== undefined) expect(parsed.status.trim()).toBe(parsed.status);
        },
      ),
    );
  });
});

describe('decodeBody', () => {
  /** What the route does with a body it has read (src/callback/route.ts). */
  const statusOf = async (body: string, contentType: string) =>
    parseNotification({ query: '', ...(await decodeBody(Buffer.from(body), contentType)) }).status;

  it('reads a real multipart form as a form', async () => {
    const boundary = '----paylink';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="status"\r\n\r\nSETTLED\r\n--${boundary}--\r\n`;
    expect(await statusOf(body, `multipart/form-data; boundary=${boundary}`)).toBe('SETTLED');
  });

  it.each([
    ['{"payment_status":"SETTLED"}', 'multipart/form-data; boundary=----x'],
    ['{"payment_status":"SETTLED"}', 'multipart/form-data'],
    ['payment_status=SETTLED', 'multipart/form-data'],
  ])('reads %s labelled %s, not a multipart after all, as what it looks like', async (body, type) => {
    expect(await statusOf(body, type)).toBe('SETTLED');
  });

  /** `text` as a back office on Latin-1 sends it: each character one byte. */
  const latin1 = (text: string) => Buffer.from(text, 'latin1');
  const statusOfBytes = async (body: Buffer, contentType: string) =>
    parseNotification({ query: '', ...(await decodeBody(body, contentType)) }).status;

  it.each([
    [
      'a form, its escapes',
      latin1('statut=Rembours%E9&x=a+b'),
      'application/x-www-form-urlencoded; charset=ISO-8859-1',
    ],
    [
      'a form, its raw bytes',
      latin1('statut=Rembours\u00e9'),
      'application/x-www-form-urlencoded; charset="windows-1252"',
    ],
    ['JSON', latin1('{"statut":"Rembours\u00e9"}'), 'application/json; charset=ISO-8859-1'],
    ['JSON in UTF-8, as declared', Buffer.from('{"statut":"Rembours\u00e9"}'), 'application/json; charset=utf-8'],
    ['JSON in UTF-8, no charset', Buffer.from('{"statut":"Rembours\u00e9"}'), 'application/json'],
    [
      'JSON, an unknown charset read as UTF-8',
      Buffer.from('{"statut":"Rembours\u00e9"}'),
      'application/json; charset=x-klingon',
    ],
    // PHP's curl posts json_encode() as a form unless told otherwise.
    [
      'JSON labelled a Latin-1 form',
      latin1('{"statut":"Rembours\u00e9"}'),
      'application/x-www-form-urlencoded; charset=ISO-8859-1',
    ],
  ])('reads %s in the charset its Content-Type declares', async (_, body, contentType) => {
    expect(await statusOfBytes(body, contentType)).toBe('Remboursé');
  });

  it('reads UTF-8 labelled Latin-1 (a PHP default over UTF-8 text) as UTF-8: valid UTF-8, it is no Latin-1 text', async () => {
    const form = 'application/x-www-form-urlencoded; charset=ISO-8859-1';
    expect(await statusOfBytes(Buffer.from('statut=Rembours%C3%A9'), form)).toBe('Remboursé');
    expect(await statusOfBytes(Buffer.from('statut=Rembours\u00e9'), form)).toBe('Remboursé');
    expect(await statusOfBytes(Buffer.from('{"statut":"Rembours\u00e9"}'), 'application/json; charset=latin1')).toBe(
      'Remboursé',
    );
  });

  it('reads windows-1252’s own characters (’ œ € –), which Node 20 reads as invisible controls under that label', async () => {
    const body = Buffer.from([...latin1('statut=l'), 0x92, ...latin1('op '), 0x9c, 0x80, 0x96]);
    for (const charset of ['windows-1252', 'ISO-8859-1', 'latin1']) {
      expect(await statusOfBytes(body, `application/x-www-form-urlencoded; charset=${charset}`)).toBe('l’op œ€–');
    }
  });
});
