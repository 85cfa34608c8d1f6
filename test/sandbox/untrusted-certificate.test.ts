import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CERTIFICATE_REFUSALS } from '../../src/http/transport-errors.js';
import { SANDBOX_TEXTS } from '../../src/i18n/sandbox.js';
import { type Harness, startHarness } from '../support/paylink-harness.js';
import { createSandboxLink, NO_SAFEDEBIT } from '../support/sandbox-links.js';

/**
 * The sandbox behind an https PAYLINK_PUBLIC_URL whose certificate Node does not trust (a company CA the reps'
 * browsers trust through the OS, a self-signed staging host): the sandbox's notification fails at the TLS handshake,
 * before a byte of it is sent, so paylink cannot have kept it. The page had said that paylink "may" have taken it and
 * offered only the same button again: it never showed in Slack, and pressing again failed the same way.
 */

let running: Harness | undefined;
let front: Server | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
  front?.closeAllConnections();
  await new Promise((resolve) => front?.close(resolve) ?? resolve(undefined));
  front = undefined;
});

/** An https server with a self-signed certificate, as the public address in front of paylink. */
async function selfSignedFront(): Promise<number> {
  const folder = mkdtempSync(join(tmpdir(), 'paylink-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-new',
      '-x509',
      '-days',
      '2',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
    ].concat(['-keyout', join(folder, 'key.pem'), '-out', join(folder, 'cert.pem')]),
    { stdio: 'ignore' },
  );
  const key = readFileSync(join(folder, 'key.pem'));
  const cert = readFileSync(join(folder, 'cert.pem'));
  rmSync(folder, { recursive: true, force: true });
  front = createServer({ key, cert }, (_req, res) => res.writeHead(200).end());
  await new Promise<void>((resolve) => front?.listen(0, '127.0.0.1', resolve));
  return (front.address() as AddressInfo).port;
}

it('a notification refused at the TLS handshake is said not recorded, with both buttons back', async () => {
  const port = await selfSignedFront();
  const h = await startHarness({ env: { ...NO_SAFEDEBIT, PAYLINK_PUBLIC_URL: `https://localhost:${port}` } });
  running = h;
  const { link } = await createSandboxLink(h);

  // The rep's browser reaches the page (it trusts the certificate); here, straight on paylink's port.
  const pressed = await fetch(`${h.baseUrl}${new URL(link).pathname}`, {
    method: 'POST',
    body: new URLSearchParams({ decision: 'pay' }),
    redirect: 'manual',
  });
  expect(pressed.status).toBe(502);
  const page = await pressed.text();
  expect(page).not.toContain('it may show in Slack already');
  expect(page).toContain(
    `paylink does not trust the certificate of https://localhost:${port} (DEPTH_ZERO_SELF_SIGNED_CERT): give Node its certificate authority with NODE_EXTRA_CA_CERTS`,
  );
  expect(page).toContain('Nothing was recorded');
  expect(page).toContain('value="pay"');
  expect(page).toContain('value="refuse"');
});

describe('what the page says of each certificate Node refuses', () => {
  // Only an unknown authority is mended by NODE_EXTRA_CA_CERTS: an expired certificate, or one for another name, is not.
  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'give Node its certificate authority with NODE_EXTRA_CA_CERTS'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'give Node its certificate authority with NODE_EXTRA_CA_CERTS'],
    ['CERT_HAS_EXPIRED', 'has expired (CERT_HAS_EXPIRED): it is to be renewed'],
    ['CERT_NOT_YET_VALID', "is not valid yet (CERT_NOT_YET_VALID): check this machine's clock"],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'PAYLINK_PUBLIC_URL must name a host it is for'],
  ])('%s: %s', (code, advice) => {
    const refusal = CERTIFICATE_REFUSALS.get(code);
    if (refusal === undefined) throw new Error(`${code} is no certificate refusal`);
    const said = SANDBOX_TEXTS.en.certificateRefused[refusal]('https://paylink.example.com', code);
    expect(said).toContain('https://paylink.example.com');
    expect(said).toContain(advice);
    expect(SANDBOX_TEXTS.fr.certificateRefused[refusal]('https://paylink.example.com', code)).toContain(`(${code})`);
  });
});
