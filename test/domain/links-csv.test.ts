import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildLinksCsv, CSV_COLUMNS } from '../../src/domain/links-csv.js';
import { classifyStatus, statusProgress } from '../../src/domain/payment-status.js';
import { linkRecord } from '../support/link-records.js';

/** Reads RFC 4180 CSV back into rows, as a strict reader would: quoted fields, doubled quotes, CRLF lines. */
function parseCsv(text: string, separator: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === separator) {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += char;
  }
  if (field !== '' || row.length > 0) throw new Error('the last line has no CRLF');
  return rows;
}

const PAID = linkRecord({
  id: '01JDX7K3M9Q2',
  created_at: '2026-11-27T05:28:51.123Z',
  user_id: 'U0REP',
  origin_channel: 'C0SALES',
  payment_reference: 'F-2026-031',
  consumer_reference: 'CUST-42',
  customer: 'Jean Dupont',
  amount_cents: 125_050,
  payment_status: 'SETTLED',
  payment_status_rank: statusProgress(classifyStatus('SETTLED')),
  payment_status_at: '2026-07-02T12:00:00.000Z',
  paid_at: '2026-07-01T22:30:00.000Z',
  link: 'https://pay.example/paypage?SDESSID=abc',
});

describe('the links CSV', () => {
  it('opens in a French spreadsheet: semicolons, decimal comma, UTF-8 with a BOM, CRLF lines', () => {
    const csv = buildLinksCsv([PAID], { locale: 'fr', timeZone: 'Europe/Paris' });
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.slice(1).split('\r\n')).toEqual([
      // Written out: finance's spreadsheets and scripts read these names, in this order.
      'created_at;rep_id;channel;payment_reference;consumer_reference;customer;amount;currency;state;payment_status;status_date;link;sms;email;expires_at;paid_at;link_id;payment_type;state_detail',
      '2026-11-27T06:28:51+01:00;U0REP;C0SALES;F-2026-031;CUST-42;Jean Dupont;1250,50;EUR;created;SETTLED;2026-07-02T14:00:00+02:00;https://pay.example/paypage?SDESSID=abc;•• •• •• 56 78;j•••@example.com;;2026-07-02T00:30:00+02:00;01JDX7K3M9Q2;now;',
      '',
    ]);
  });

  it("gives when a link's paid standing began, the date App Home's paid total counts it by, and nothing for one not paid", () => {
    const recordedByOlderRelease = linkRecord({ ...PAID, paid_at: null });
    const refunded = linkRecord({
      ...PAID,
      payment_status: 'REFUNDED',
      payment_status_rank: statusProgress(classifyStatus('REFUNDED')),
      paid_at: null,
    });
    const [, ...rows] = parseCsv(
      buildLinksCsv([PAID, recordedByOlderRelease, refunded], { locale: 'en', timeZone: 'UTC' }).slice(1),
      ',',
    );
    expect(rows.map((row) => row[CSV_COLUMNS.indexOf('paid_at')])).toEqual([
      '2026-07-01T22:30:00+00:00',
      '2026-07-02T12:00:00+00:00',
      '',
    ]);
  });

  it('gives when a made link expires, as the ledger stored it when the link was sent', () => {
    const expiring = linkRecord({ ...PAID, expires_at: '2026-11-28T17:28:51.000Z' });
    const refused = linkRecord({ ...expiring, state: 'refused', link: null });
    const noneKnown = linkRecord({ ...PAID, expires_at: null });
    const [, ...rows] = parseCsv(
      buildLinksCsv([expiring, refused, noneKnown], { locale: 'en', timeZone: 'UTC' }).slice(1),
      ',',
    );
    expect(rows.map((row) => row[CSV_COLUMNS.indexOf('expires_at')])).toEqual(['2026-11-28T17:28:51+00:00', '', '']);
  });

  it('opens in an English spreadsheet: commas, decimal dot; quoted where a comma would split a cell', () => {
    const link = linkRecord({ ...PAID, customer: 'Dupont, Jean', amount_cents: 5 });
    const [, row] = parseCsv(buildLinksCsv([link], { locale: 'en', timeZone: 'UTC' }).slice(1), ',');
    expect(row).toEqual([
      '2026-11-27T05:28:51+00:00',
      'U0REP',
      'C0SALES',
      'F-2026-031',
      'CUST-42',
      'Dupont, Jean',
      '0.05',
      'EUR',
      'created',
      'SETTLED',
      '2026-07-02T12:00:00+00:00',
      'https://pay.example/paypage?SDESSID=abc',
      '•• •• •• 56 78',
      'j•••@example.com',
      '',
      '2026-07-01T22:30:00+00:00',
      '01JDX7K3M9Q2',
      'now',
      '',
    ]);
  });

  it('names each link as the logs do, its payment type, and why SAFEDEBIT made none: a refusal code, an outage', () => {
    const refused = linkRecord({ ...PAID, id: 'L-2', state: 'refused', state_detail: 'EXIST_005', link: null });
    const outage = linkRecord({ ...PAID, id: 'L-3', state: 'outage', state_detail: 'timeout', payment_type: 'multi' });
    const [, ...rows] = parseCsv(buildLinksCsv([refused, outage], { locale: 'en', timeZone: 'UTC' }).slice(1), ',');
    expect(rows.map((row) => row.slice(-3))).toEqual([
      ['L-2', 'now', 'EXIST_005'],
      ['L-3', 'multi', 'timeout'],
    ]);
  });

  it('quotes quotes, line breaks and separators as RFC 4180 says', () => {
    const link = linkRecord({
      customer: 'La "Belle"\r\nÉpoque; SARL',
      consumer_reference: 'a\nb',
      payment_status: null,
    });
    const csv = buildLinksCsv([link], { locale: 'fr', timeZone: 'Europe/Paris' });
    expect(csv).toContain(';"La ""Belle""\r\nÉpoque; SARL";');
    const [, row] = parseCsv(csv.slice(1), ';');
    expect(row?.[4]).toBe('a\nb');
    expect(row?.[5]).toBe('La "Belle"\r\nÉpoque; SARL');
    expect(row?.[9]).toBe('');
  });

  it.each([
    ['=cmd()', "'=cmd()"],
    ['+33 1 23', "'+33 1 23"],
    ['-2+3', "'-2+3"],
    // Formulas that read as no number: only the formula guard makes them inert.
    ['-A1+B1', "'-A1+B1"],
    ['+A1', "'+A1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
    ['Jean = Dupont', 'Jean = Dupont'],
  ])('makes %j inert in a spreadsheet', (customer, shown) => {
    const csv = buildLinksCsv([linkRecord({ customer })], { locale: 'en', timeZone: 'UTC' });
    expect(parseCsv(csv.slice(1), ',')[1]?.[5]).toBe(shown);
  });

  // Opened with their defaults, Excel and LibreOffice read `000123` (quoted or not) as 123, and round past 15 digits.
  it.each([
    ['000123', "'000123"],
    ['20261127000000000123', "'20261127000000000123"],
    ['12/11/2026', "'12/11/2026"],
    ['1,5', "'1,5"],
    ['(12)', "'(12)"],
    ['50%', "'50%"],
    ['1E5', "'1E5"],
    ['1,5E-3', "'1,5E-3"],
    ['2026-11', "'2026-11"],
    // Month names too, English and French (SEPT2 and MARCH1 are the gene names spreadsheets made dates of).
    ['NOV-2026', "'NOV-2026"],
    ['Nov 2026', "'Nov 2026"],
    ['12-NOV', "'12-NOV"],
    ['SEPT2', "'SEPT2"],
    ['MARCH1', "'MARCH1"],
    ['1-mars', "'1-mars"],
    ['12 déc. 2026', "'12 déc. 2026"],
    ['F-2026-031', 'F-2026-031'],
    // An E that is no exponent: text to a spreadsheet, so as typed.
    ['E-2026-031', 'E-2026-031'],
    ['E2026-0042', 'E2026-0042'],
    ['2026-E-017', '2026-E-017'],
    ['E 12', 'E 12'],
    ['12E', '12E'],
    ['CUST 42', 'CUST 42'],
    ['NOVA-2026', 'NOVA-2026'],
    ['MAI', 'MAI'],
  ])('keeps the reference %j as text, as finance matches it with SAFEDEBIT and the invoice', (reference, shown) => {
    for (const locale of ['fr', 'en'] as const) {
      const link = linkRecord({ payment_reference: reference, consumer_reference: reference, customer: reference });
      const csv = buildLinksCsv([link], { locale, timeZone: 'UTC' });
      expect(parseCsv(csv.slice(1), locale === 'fr' ? ';' : ',')[1]?.slice(3, 6)).toEqual([shown, shown, shown]);
    }
  });

  it('reads back every value as written, whatever the text, the only change an apostrophe before a formula or a number', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        fc.constantFrom('fr' as const, 'en' as const),
        (customer, locale) => {
          const csv = buildLinksCsv([linkRecord({ customer })], { locale, timeZone: 'Europe/Paris' });
          const rows = parseCsv(csv.slice(1), locale === 'fr' ? ';' : ',');
          expect(rows).toHaveLength(2);
          expect(rows[1]).toHaveLength(CSV_COLUMNS.length);
          const shown = rows[1]?.[5];
          if (/^[=+\-@\t\r]/.test(customer) || /^\d+$/.test(customer)) expect(shown).toBe(`'${customer}`);
          else expect([customer, `'${customer}`]).toContain(shown);
        },
      ),
    );
  });

  it('is the header alone for no link', () => {
    expect(buildLinksCsv([], { locale: 'en', timeZone: 'UTC' })).toBe(`\uFEFF${CSV_COLUMNS.join(',')}\r\n`);
  });
});
