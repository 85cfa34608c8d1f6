import { describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../src/logger.js';
import { readmeSection, sourceFiles } from '../support/repo-docs.js';

function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'debug') {
  const lines: string[] = [];
  const logger = createJsonLogger({
    level,
    secrets: ['super-secret-password', 'signing-secret-1234'],
    write: (line) => lines.push(line),
    now: () => new Date('2026-11-26T10:00:00Z'),
  });
  return { logger, lines };
}

describe('createJsonLogger', () => {
  it('writes one JSON object per line, with the event fields and Bolt-style messages', () => {
    const { logger, lines } = capture();
    logger.info({ event: 'link_created', amount_cents: 125050 });
    logger.warn('[WARN] bolt-app', 'something', 42);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { time: '2026-11-26T10:00:00.000Z', level: 'info', name: 'paylink', event: 'link_created', amount_cents: 125050 },
      { time: '2026-11-26T10:00:00.000Z', level: 'warn', name: 'paylink', msg: '[WARN] bolt-app something 42' },
    ]);
  });

  it.each(['Pa"ss-w0rd-2026', 'Pa\\ss-w0rd-2026', 'tab\tpass-2026'])(
    'never prints the secret %j, whose characters JSON escapes, in a field or a message',
    (secret) => {
      const lines: string[] = [];
      const logger = createJsonLogger({ level: 'debug', secrets: [secret], write: (line) => lines.push(line) });
      logger.error({ event: 'oops', detail: `the password is ${secret}` });
      logger.error(`bolt says ${secret}`);
      const read = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(read.map((entry) => entry.detail ?? entry.msg)).toEqual([
        'the password is [redacted]',
        'bolt says [redacted]',
      ]);
    },
  );

  it('adds its context to every line', () => {
    const lines: string[] = [];
    const logger = createJsonLogger({
      level: 'info',
      secrets: [],
      context: { safedebit: 'SANDBOX' },
      write: (line) => lines.push(line),
    });
    logger.info('bolt says');
    logger.warn({ event: 'x' });
    expect(lines.map((line) => JSON.parse(line).safedebit)).toEqual(['SANDBOX', 'SANDBOX']);
  });

  it('drops lines below its level', () => {
    const { logger, lines } = capture('warn');
    logger.debug('x');
    logger.info('x');
    logger.error('kept');
    expect(lines).toHaveLength(1);
  });

  it('never prints a secret, a token, a Basic header, a full email or phone number', () => {
    const { logger, lines } = capture();
    logger.error({
      event: 'oops',
      detail: 'password super-secret-password and signing-secret-1234',
      token: 'xoxb-test-5678-abcdefABCDEF',
      app: 'xapp-fake01',
      header: 'Authorization: Basic bWVyY2hhbnQ6cGFzc3dvcmQ=',
      contact: 'jean.dupont@example.com, 06 12 34 56 78, +33 6 12 34 56 78, 0612345678',
      ts: '1700000000.000100',
    });
    const line = lines.join('\n');
    for (const leaked of [
      'super-secret-password',
      'signing-secret-1234',
      'xoxb-test-5678',
      'xapp-fake01',
      'bWVyY2hhbnQ6cGFzc3dvcmQ=',
      'jean.dupont@',
      '06 12 34 56 78',
      '+33 6 12 34',
      '0612345678',
    ]) {
      expect(line).not.toContain(leaked);
    }
    expect(line).toContain('j•••@example.com');
    expect(line).toContain('1700000000.000100');
  });

  it("never prints a callback URL's token, nor the ticket of Socket Mode's WebSocket URL, wherever a line holds them", () => {
    const { logger, lines } = capture();
    // As Bolt writes a request no route takes, and Slack's WebClient the answer of apps.connections.open.
    logger.info('Unhandled HTTP request (PUT) made to /cb/ApRQSxk2n0Yq7vB1c9dZfGhJkLmNoPqRsT');
    logger.debug('http request result: {"ok":true,"url":"wss://wss.slack.com/link/?ticket=4f2a-9c1e-77&app_id=A0X"}');
    const line = lines.join('\n');
    expect(line).not.toContain('ApRQSxk2n0Yq7vB1c9dZfGhJkLmNoPqRsT');
    expect(line).not.toContain('4f2a-9c1e-77');
    expect(line).toContain('/cb/[redacted]');
    expect(line).toContain('ticket=[redacted]&app_id=A0X');
  });
});

describe('a log line anyone can have written (a URL no route takes, a notification field name)', () => {
  it('is redacted in linear time: a long run with no @ does not hold the only thread', () => {
    const { logger, lines } = capture('info');
    const started = performance.now();
    logger.info(`Unhandled HTTP request (GET) made to /${'a.'.repeat(32_000)}`);
    logger.info({ event: 'callback_without_status', fields: [`${'a-'.repeat(16_000)}@${'b.'.repeat(16_000)}`] });
    // Quadratic, the first took seconds: past Slack's 3 s for every request waiting behind it.
    expect(performance.now() - started).toBeLessThan(500);
    expect(lines).toHaveLength(2);
    logger.info({ event: 'x', detail: 'jean.dupont@example.com, j@ex-ample.co.uk; write to a@b.fr' });
    expect(JSON.parse(lines[2] ?? '{}').detail).toBe('j•••@example.com, j•••@ex-ample.co.uk; write to a•••@b.fr');
  });

  it('never prints the name of an address the form takes: accented, in a non-Latin script, or with other characters', () => {
    const { logger, lines } = capture('info');
    // The form takes any address with a domain (its own and SAFEDEBIT's check): the customer's name is in these too.
    logger.info({
      event: 'x',
      detail: "josé.müller@exämple.fr, 山田太郎@例え.テスト, jean!dupont@example.com, o'brien@example.ie",
    });
    const detail = String(JSON.parse(lines[0] ?? '{}').detail);
    for (const leaked of ['josé', 'müller', '山田太郎', 'jean!', 'dupont', 'brien'])
      expect(detail).not.toContain(leaked);
    expect(detail).toBe('j•••@exämple.fr, 山•••@例え.テスト, j•••@example.com, o•••@example.ie');
  });

  it.each([
    [
      'Slack’s writing of an address in a text',
      '<mailto:jean.dupont@example.fr|jean.dupont@example.fr>',
      'jean.dupont@',
    ],
    ['an address right after another and a |', 'jean.dupont@example.fr|marie.curie@example.fr', 'marie.curie@'],
    ['an accented address, percent-encoded', 'email=jos%C3%A9%40ex%C3%A4mple.fr&x=1', 'jos%C3%A9%40'],
  ])('masks every address in %s', (_, text, name) => {
    const { logger, lines } = capture('info');
    logger.info({ event: 'x', detail: text });
    expect(lines.join('\n')).not.toContain(name);
  });

  it('never prints a full email or phone number written percent-encoded, as a query string carries them', () => {
    const { logger, lines } = capture('info');
    // As Bolt writes a request no route takes: the URL as received, form-encoded (`@` as %40, `+` as %2B, spaces as +).
    logger.info(
      'Unhandled HTTP request (GET) made to /cb?email=jean.dupont%40example.com&tel=%2B33612345678&tel2=%2b33+6+12+34+56+78',
    );
    logger.info('Unhandled HTTP request (GET) made to /nope?phone=%2B33%206%2012%2034%2056%2078&fixe=01+23+45+67+89');
    logger.info('Unhandled HTTP request (GET) made to /nope?mobile=06%2012%2034%2056%2078&ts=1700000000.000100');
    const line = lines.join('\n');
    for (const leaked of ['jean.dupont', '612345678', '6+12+34+56', '6%2012%2034%2056', '23+45+67', '12%2034%2056']) {
      expect(line).not.toContain(leaked);
    }
    expect(line).toContain('email=j•••%40example.com&');
    expect(line).toContain('&ts=1700000000.000100');
  });

  it.each([
    ['a note', 'Rappeler au 06 12 34 56 78', '12%2034%2056'],
    ['a contact', 'Jean Dupont, +33 6 12 34 56 78', '12%2034%2056'],
    ['a contact, no separators', 'Jean Dupont +33612345678', '612345678'],
    ['a contact, national', 'Jean Dupont 0612345678', '612345678'],
  ])('masks a phone number right after a percent-encoded space, in %s', (_, value, digits) => {
    const { logger, lines } = capture('info');
    // encodeURIComponent's way: the space before the number is %20, whose last digit is no digit of the number.
    logger.info(`Unhandled HTTP request (GET) made to /nope?contact=${encodeURIComponent(value)}`);
    expect(JSON.parse(lines[0] ?? '{}').msg).not.toContain(digits);
  });

  it('has its long strings cut between characters, never within an emoji', () => {
    const { logger, lines } = capture('info');
    logger.info({ event: 'x', detail: `${'y'.repeat(4095)}😀 and more` });
    expect(String(JSON.parse(lines[0] ?? '{}').detail)).toBe(`${'y'.repeat(4095)}…[cut at 4096 characters]`);
    logger.info({ event: 'x', detail: `an address whose name is long: ${'n'.repeat(70)}@example.com` });
    expect(String(JSON.parse(lines[1] ?? '{}').detail)).toBe('an address whose name is long: n•••@example.com');
  });

  it('has its long strings cut, after the secrets in them are redacted', () => {
    const { logger, lines } = capture('info');
    logger.info({ event: 'x', detail: `${'y'.repeat(4090)}super-secret-password` });
    const detail = String(JSON.parse(lines[0] ?? '{}').detail);
    expect(detail).toMatch(/^y{4090}\[redac…\[cut at 4096 characters\]$/);
    expect(lines[0]).not.toContain('super-');
  });
});

describe("the README's log events", () => {
  const sources = sourceFiles();
  const listed = new Set(
    [...readmeSection('### Log events').matchAll(/`([a-z]+(?:_[a-z0-9]+)*)`/g)].map(([, name = '']) => name),
  );
  /**
   * The events src/ logs, as it names them: the literals of an `event:` value (`retry ? 'a' : 'b'` too), those of the
   * DM handlings interrupted-links.ts passes (`sent`, `postponed`, `notSent`), and each round's `<name>_failed` and
   * `<name>_recovered`.
   */
  function loggedEvents(): string[] {
    const literals = (pattern: RegExp) =>
      sources.flatMap((source) =>
        [...source.matchAll(pattern)].flatMap(([, value = '']) =>
          [...value.matchAll(/'([a-z_]+)'/g)].map(([, name]) => name ?? ''),
        ),
      );
    const rounds = literals(/startRounds\(\s*\{\s*name: ('[a-z_]+')/g);
    const roundSuffixes = sources.flatMap((source) =>
      [...source.matchAll(/event: `\$\{options\.name\}(_[a-z]+)`/g)].map(([, suffix]) => suffix),
    );
    return [
      ...literals(/\bevent: ([^,}\n]+)/g),
      ...literals(/\b(?:sent|postponed|notSent): ('[a-z_]+')/g),
      ...rounds.flatMap((round) => roundSuffixes.map((suffix) => `${round}${suffix}`)),
    ];
  }

  it('lists every event paylink logs, for operators to find the errors among them', () => {
    const logged = loggedEvents();
    expect(logged.length).toBeGreaterThan(50);
    expect(logged.filter((event) => !listed.has(event))).toEqual([]);
  });

  it('names only what src/ says: no event renamed or gone since', () => {
    const logged = new Set(loggedEvents());
    const unknown = [...listed].filter((name) => !logged.has(name) && !sources.some((source) => source.includes(name)));
    expect(unknown).toEqual([]);
  });
});
