import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressAllowList, clientAddress, parseAddressRules } from '../../src/http/client-address.js';

function allowList(list: string): (address: string) => boolean {
  const parsed = parseAddressRules(list);
  if (!parsed.ok) throw new Error(parsed.problem);
  return addressAllowList(parsed.rules);
}

describe('parseAddressRules', () => {
  it('reads addresses and ranges of both families, spaces and empty entries aside', () => {
    expect(parseAddressRules(' 203.0.113.7, 198.51.100.0/24 ,, 2001:DB8::/32, ::1 ')).toEqual({
      ok: true,
      rules: [
        { kind: 'address', address: '203.0.113.7', family: 'ipv4' },
        { kind: 'range', network: '198.51.100.0', prefix: 24, family: 'ipv4' },
        { kind: 'range', network: '2001:db8::', prefix: 32, family: 'ipv6' },
        { kind: 'address', address: '::1', family: 'ipv6' },
      ],
    });
    expect(parseAddressRules('')).toEqual({ ok: true, rules: [] });
  });

  it.each([
    ['a host name', 'safedebit.fr'],
    ['a truncated address', '192.0.2'],
    ['an IPv4 prefix past 32', '192.0.2.0/33'],
    ['an IPv6 prefix past 128', '2001:db9::/129'],
    ['an empty prefix', '192.0.2.0/'],
    ['a signed prefix', '192.0.2.0/+8'],
    ['two slashes', '192.0.2.0/24/8'],
  ])('refuses %s, naming its position and not its text', (_label, entry) => {
    const parsed = parseAddressRules(`127.0.0.1, ${entry}`);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problem).toMatch(/^entry 2 is not an IPv4 or IPv6 address or CIDR range/);
    expect(parsed.problem).not.toContain(entry);
  });
});

describe('addressAllowList', () => {
  const allowed = allowList('127.0.0.0/8, 203.0.113.7, 2001:db8::/32, ::1');

  it.each([
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['203.0.113.7', true],
    ['203.0.113.8', false],
    ['2001:db8:1::5', true],
    ['2001:db9::5', false],
    ['::1', true],
    ['::2', false],
    // What a dual-stack socket reports for an IPv4 client.
    ['::ffff:127.0.0.1', true],
    ['::FFFF:203.0.113.7', true],
    ['::ffff:10.0.0.1', false],
    ['not an address', false],
    ['', false],
  ])('%s → %s', (address, expected) => {
    expect(allowed(address)).toBe(expected);
  });

  it('an IPv4 rule written as a mapped IPv6 address is the IPv4 address', () => {
    expect(allowList('::ffff:198.51.100.1')('198.51.100.1')).toBe(true);
  });

  it('an empty list allows nobody', () => {
    expect(allowList('')('127.0.0.1')).toBe(false);
  });

  it('a /24 allows exactly the 256 addresses it covers', () => {
    const inRange = allowList('198.51.100.0/24');
    fc.assert(
      fc.property(fc.ipV4(), (address) => {
        expect(inRange(address)).toBe(address.startsWith('198.51.100.'));
      }),
    );
  });
});

describe('clientAddress', () => {
  it('without trusted proxies: the socket’s address, whatever X-Forwarded-For says', () => {
    expect(clientAddress('::ffff:127.0.0.1', '203.0.113.7', 0)).toBe('127.0.0.1');
    expect(clientAddress('::1', undefined, 0)).toBe('::1');
  });

  it('behind N proxies: the N-th address from the right of X-Forwarded-For', () => {
    const header = '198.51.100.1, 203.0.113.7, 10.0.0.2';
    expect(clientAddress('10.0.0.3', header, 1)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.3', header, 2)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.3', header, 3)).toBe('198.51.100.1');
  });

  it('a client cannot slip an address past the trusted proxy by sending the header itself', () => {
    // The client sent "127.0.0.1"; the proxy appended the address it really came from.
    expect(clientAddress('10.0.0.3', '127.0.0.1, 203.0.113.7', 1)).toBe('203.0.113.7');
  });

  it('with fewer addresses than hops: the leftmost one', () => {
    expect(clientAddress('10.0.0.3', '203.0.113.7', 5)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.3', undefined, 1)).toBe('10.0.0.3');
  });

  it('reads repeated headers as one list, and addresses written with a port', () => {
    expect(clientAddress('10.0.0.3', ['198.51.100.1', '203.0.113.7:4711'], 1)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.3', '[2001:db8::1]:443', 1)).toBe('2001:db8::1');
    expect(clientAddress('10.0.0.3', 'fe80::1%eth0', 1)).toBe('fe80::1');
  });

  it('undefined when the entry chosen is not an address', () => {
    expect(clientAddress('10.0.0.3', 'unknown', 1)).toBeUndefined();
    expect(clientAddress('10.0.0.3', '203.0.113.7, _hidden', 1)).toBeUndefined();
    expect(clientAddress(undefined, undefined, 0)).toBeUndefined();
  });
});
