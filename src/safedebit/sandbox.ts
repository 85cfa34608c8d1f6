import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { type LinkDurationUnit, linkExpiry } from '../domain/link-duration.js';
import { parseJson } from '../http/read-body.js';
import { PAYMENT_REFERENCE_USED } from './error-catalog.js';
import type { SafedebitRefusal } from './outcome.js';
import { type PaymentLinkRequest, paymentLinkRequestSchema } from './request.js';

/**
 * What any stand-in for SAFEDEBIT's `get_link_payment` does, however it is served: check a request as the
 * documented contract says, and issue links. The built-in sandbox (src/sandbox/) serves it on paylink's own
 * port with payment pages; the tests' stand-in (test/support/safedebit-standin.ts) adds faults.
 */

export interface SandboxCredentials {
  login: string;
  password: string;
}

/** `get_link_payment`'s answers: a link, or a refusal with a code, SAFEDEBIT's words, or both. */
export type LinkAnswer = { result: true; link: string } | ({ result: false } & SafedebitRefusal);

export type CheckedLinkRequest = { ok: true; request: PaymentLinkRequest } | { ok: false; answer: LinkAnswer };

export interface IssuedLink {
  /** The payment session: what the link names. */
  id: string;
  link: string;
  /** The payment's id, given in its notifications. */
  payId: string;
  request: PaymentLinkRequest;
  /** When it can no longer be paid: `link_duration` after it was issued, in the unit the account is said to use. */
  expiresAt?: Date;
}

/** How links expire: the clock, and the unit of `link_duration` (SAFEDEBIT_LINK_DURATION_UNIT; none, no expiry). */
export interface LinkExpiry {
  clock: () => Date;
  unit: LinkDurationUnit | undefined;
}

const refusal = (code: string): LinkAnswer => ({ result: false, code });

/**
 * The request as SAFEDEBIT would take it: Basic auth first (`AUTH_001` for an unknown login, `AUTH_002` for a
 * wrong password), then the field table. The annex lists no code for an invalid parameter, so the sandbox
 * answers its own, recognisably fake ones: SANDBOX_INVALID_<FIELD> (missing, too long or mistyped),
 * SANDBOX_UNKNOWN_FIELD, SANDBOX_INVALID_BODY.
 */
export function checkLinkRequest(
  authorization: string | undefined,
  rawBody: string,
  credentials: SandboxCredentials,
): CheckedLinkRequest {
  const sent = parseBasicAuth(authorization);
  if (sent === undefined || !sameSecret(sent.login, credentials.login))
    return { ok: false, answer: refusal('AUTH_001') };
  if (!sameSecret(sent.password, credentials.password)) return { ok: false, answer: refusal('AUTH_002') };
  const parsed = paymentLinkRequestSchema.safeParse(parseJson(rawBody));
  if (!parsed.success) return { ok: false, answer: refusal(invalidRequestCode(parsed.error.issues[0])) };
  return { ok: true, request: parsed.data };
}

/** Issues links, each payment reference once, as SAFEDEBIT does; remembers them for their payment pages. */
export class LinkIssuer {
  private readonly usedReferences = new Set<string>();
  private readonly issued = new Map<string, IssuedLink>();

  /** `linkFor(id)`: the payment page's URL, asked when the link is issued. */
  constructor(
    private readonly linkFor: (id: string) => string,
    private readonly expiry?: LinkExpiry,
  ) {}

  /** A link, or `EXIST_005` when the payment reference was used before. */
  issue(request: PaymentLinkRequest): LinkAnswer {
    if (this.usedReferences.has(request.payment_reference)) return refusal(PAYMENT_REFERENCE_USED);
    this.usedReferences.add(request.payment_reference);
    const id = randomBytes(16).toString('hex');
    const issued: IssuedLink = { id, link: this.linkFor(id), payId: randomBytes(8).toString('hex'), request };
    const expiresAt =
      this.expiry && request.link_duration !== undefined
        ? linkExpiry(this.expiry.clock(), { value: request.link_duration, unit: this.expiry.unit })
        : undefined;
    if (expiresAt !== undefined) issued.expiresAt = expiresAt;
    this.issued.set(id, issued);
    return { result: true, link: issued.link };
  }

  find(id: string): IssuedLink | undefined {
    return this.issued.get(id);
  }

  expired(link: IssuedLink): boolean {
    return this.expiry !== undefined && link.expiresAt !== undefined && this.expiry.clock() >= link.expiresAt;
  }
}

function invalidRequestCode(issue: z.core.$ZodIssue | undefined): string {
  if (issue?.code === 'unrecognized_keys') return 'SANDBOX_UNKNOWN_FIELD';
  const field = issue?.path[0];
  return typeof field === 'string' ? `SANDBOX_INVALID_${field.toUpperCase()}` : 'SANDBOX_INVALID_BODY';
}

/** Compared in constant time (digests, so that lengths do not show either): the sandbox's route is public. */
function sameSecret(sent: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(sent), digest(expected));
}

function parseBasicAuth(header: string | undefined): SandboxCredentials | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const pair = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = pair.indexOf(':');
  return colon < 0 ? undefined : { login: pair.slice(0, colon), password: pair.slice(colon + 1) };
}
