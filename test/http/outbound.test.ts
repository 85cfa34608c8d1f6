import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOutboundDispatcher, readProxySettings } from '../../src/http/outbound.js';
import { errorCode, NEVER_CONNECTED_CODES } from '../../src/http/transport-errors.js';
import { freePort } from '../support/free-port.js';
import { type LoopbackProxy, startLoopbackProxy } from '../support/loopback-proxy.js';

describe('readProxySettings', () => {
  it('reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY, the lowercase variable first when both are set', () => {
    expect(
      readProxySettings({
        HTTP_PROXY: 'http://upper.example:3128',
        http_proxy: 'http://lower.example:3128',
        HTTPS_PROXY: 'https://secure.example:8443',
        NO_PROXY: 'localhost, .internal.example',
      }),
    ).toEqual({
      ok: true,
      proxy: {
        httpProxy: 'http://lower.example:3128',
        httpsProxy: 'https://secure.example:8443',
        noProxy: 'localhost, .internal.example',
      },
    });
  });

  it('takes an empty variable for no proxy, as undici does (an empty lowercase one hides the uppercase)', () => {
    expect(readProxySettings({})).toEqual({ ok: true, proxy: {} });
    expect(readProxySettings({ HTTPS_PROXY: '', http_proxy: ' ', HTTP_PROXY: 'http://proxy.example' })).toEqual({
      ok: true,
      proxy: {},
    });
  });

  it('names a variable that is not a proxy URL without printing it: it may hold a password', () => {
    const result = readProxySettings({
      HTTPS_PROXY: 'user:s3cret@proxy.example:3128',
      http_proxy: 'ftp://proxy.example',
      NO_PROXY: 'anything goes',
    });
    expect(result).toEqual({
      ok: false,
      problems: [
        'http_proxy: expected a proxy URL such as http://proxy.example:3128',
        'HTTPS_PROXY: expected a proxy URL such as http://proxy.example:3128',
      ],
    });
    expect(JSON.stringify(result)).not.toContain('s3cret');
  });
});

describe('createOutboundDispatcher', () => {
  let proxy: LoopbackProxy | undefined;
  let target: Server | undefined;
  afterEach(async () => {
    // Each variable set goes back in the process.env the worker's next files share: a copy put in its place would no
    // longer reach Node (TZ).
    vi.unstubAllEnvs();
    await proxy?.close();
    proxy = undefined;
    target?.closeAllConnections();
    await new Promise((resolve) => (target ? target.close(resolve) : resolve(undefined)));
    target = undefined;
  });

  async function startTarget(): Promise<string> {
    target = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => target?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  }

  it('uses the proxies it is given, never those of the process environment', async () => {
    proxy = await startLoopbackProxy();
    const origin = await startTarget();
    vi.stubEnv('HTTP_PROXY', proxy.url);
    vi.stubEnv('http_proxy', proxy.url);
    const direct = createOutboundDispatcher({});
    try {
      await (await request(`${origin}/direct`, { dispatcher: direct })).body.text();
    } finally {
      await direct.close();
    }
    expect(proxy.requests).toEqual([]);

    vi.stubEnv('NO_PROXY', '127.0.0.1');
    const proxied = createOutboundDispatcher({ httpProxy: proxy.url });
    try {
      await (await request(`${origin}/proxied`, { dispatcher: proxied })).body.text();
    } finally {
      await proxied.close();
    }
    expect(proxy.requestsTo(new URL(origin).host)).toEqual(['GET /proxied']);
  });

  it('reuses a connection the server keeps 2 s (Keep-Alive: timeout=2), which undici 7 alone would close at once', async () => {
    const origin = await startTarget();
    if (!target) throw new Error('no target');
    // Node announces the idle timeout in whole seconds: `Keep-Alive: timeout=2`.
    target.keepAliveTimeout = 2_000;
    let connections = 0;
    target.on('connection', () => connections++);
    const dispatcher = createOutboundDispatcher({});
    try {
      for (const path of ['/first', '/second', '/third']) {
        await (await request(`${origin}${path}`, { dispatcher })).body.text();
        // The connection goes back to the pool once undici has seen the answer end, just after the body does.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      await dispatcher.close();
    }
    expect(connections).toBe(1);
  });

  it('goes straight to an IPv6 address NO_PROXY lists bare (::1), as curl and Go read it', async () => {
    proxy = await startLoopbackProxy();
    target = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => target?.listen(0, '::1', resolve));
    const { port } = target.address() as AddressInfo;
    for (const noProxy of ['localhost,127.0.0.1,::1', '[::1]', `[::1]:${port}`]) {
      const dispatcher = createOutboundDispatcher({ httpProxy: proxy.url, noProxy });
      try {
        expect(await (await request(`http://[::1]:${port}/`, { dispatcher })).body.text()).toBe('ok');
      } finally {
        await dispatcher.close();
      }
    }
    expect(proxy.tunnels).toEqual([]);
  });

  it('fails like a server that refuses the connection when the proxy does: nothing was sent, a retry is safe', async () => {
    const origin = await startTarget();
    const dispatcher = createOutboundDispatcher({ httpProxy: `http://127.0.0.1:${await freePort()}` });
    try {
      const failure = await request(`${origin}/`, { dispatcher }).catch((error: unknown) => error);
      expect(NEVER_CONNECTED_CODES.has(errorCode(failure) ?? '')).toBe(true);
    } finally {
      await dispatcher.close();
    }
  });
});
