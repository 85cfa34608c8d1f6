import { BlockList, isIP } from 'node:net';

/**
 * Who is calling: the address a request comes from, behind a known number of proxies, and whether it is in an
 * allow-list of addresses and CIDR ranges. Used to let only SAFEDEBIT's servers post payment notifications.
 */

type Family = 'ipv4' | 'ipv6';

/** One entry of an allow-list: a single address, or a range (`network/prefix`). */
export type AddressRule =
  | { kind: 'address'; address: string; family: Family }
  | { kind: 'range'; network: string; prefix: number; family: Family };

export type AddressRulesResult = { ok: true; rules: AddressRule[] } | { ok: false; problem: string };

const MAX_PREFIX: Record<Family, number> = { ipv4: 32, ipv6: 128 };

/**
 * `203.0.113.7, 198.51.100.0/24, 2001:db8::/32` → rules. An entry that is neither an address nor a range is a
 * problem naming its position, not its text (configuration values are never echoed).
 */
export function parseAddressRules(list: string): AddressRulesResult {
  const entries = list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const rules: AddressRule[] = [];
  for (const [index, entry] of entries.entries()) {
    const rule = parseRule(entry);
    if (rule === undefined) {
      return {
        ok: false,
        problem: `entry ${index + 1} is not an IPv4 or IPv6 address or CIDR range (e.g. 203.0.113.7, 203.0.113.0/24, 2001:db8::/32)`,
      };
    }
    rules.push(rule);
  }
  return { ok: true, rules };
}

function parseRule(entry: string): AddressRule | undefined {
  const slash = entry.indexOf('/');
  const address = normalizeAddress(slash < 0 ? entry : entry.slice(0, slash));
  if (address === undefined) return undefined;
  const family = familyOf(address);
  if (slash < 0) return { kind: 'address', address, family };
  const prefixText = entry.slice(slash + 1);
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefix > MAX_PREFIX[family]) return undefined;
  return { kind: 'range', network: address, prefix, family };
}

/** A predicate telling whether an address (as `clientAddress` gives it) is one the rules allow. */
export function addressAllowList(rules: readonly AddressRule[]): (address: string) => boolean {
  const list = new BlockList();
  for (const rule of rules) {
    if (rule.kind === 'address') list.addAddress(rule.address, rule.family);
    else list.addSubnet(rule.network, rule.prefix, rule.family);
  }
  return (address) => {
    const normalized = normalizeAddress(address);
    return normalized !== undefined && list.check(normalized, familyOf(normalized));
  };
}

/**
 * The address of whoever sent the request. With `trustedHops` proxies in front of paylink, each appending the
 * address it received from to `X-Forwarded-For`, the client is the `trustedHops`-th address from the right of
 * that header followed by the socket's address; with fewer addresses than hops, the leftmost one. 0 hops: the
 * socket's address, whatever the header says (anyone can send one). Undefined when the chosen entry is not an
 * address.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | readonly string[] | undefined,
  trustedHops: number,
): string | undefined {
  const forwarded = (typeof forwardedFor === 'string' ? forwardedFor : (forwardedFor ?? []).join(','))
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const chain = [...forwarded, socketAddress ?? ''];
  const chosen = chain[Math.max(0, chain.length - 1 - trustedHops)] ?? '';
  return normalizeAddress(stripPort(chosen));
}

/** `[2001:db8::1]:443` → `2001:db8::1`, `203.0.113.7:8080` → `203.0.113.7` (some proxies append the port). */
function stripPort(entry: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  if (bracketed?.[1]) return bracketed[1];
  const ipv4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(entry);
  return ipv4WithPort?.[1] ?? entry;
}

/**
 * The address in one spelling: an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, what a dual-stack socket
 * reports for an IPv4 client) as IPv4, without an IPv6 zone (`%eth0`), lower case. Undefined when not an address.
 */
function normalizeAddress(text: string): string | undefined {
  const address = text.trim().replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  const candidate = mapped?.[1] ?? address;
  return isIP(candidate) === 0 ? undefined : candidate;
}

function familyOf(address: string): Family {
  return isIP(address) === 4 ? 'ipv4' : 'ipv6';
}
