import { afterEach, describe, expect, it } from 'vitest';
import { KeptAliveConnection } from '../support/kept-alive-connection.js';
import { type Harness, startHarness } from '../support/paylink-harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let h: Harness | undefined;
let kept: KeptAliveConnection | undefined;
afterEach(async () => {
  kept?.destroy();
  await h?.close().catch(() => undefined);
  h = kept = undefined;
});

describe('stopping: a /healthz request whose headers straddle the stop, on a connection a load balancer keeps alive', () => {
  it('is answered with Connection: close, and the load balancer polling it does not hold the stop for its whole grace', async () => {
    h = await startHarness();
    const port = Number(new URL(h.baseUrl).port);
    kept = await KeptAliveConnection.open(port);
    // The health checker's request has begun arriving when the stop comes (its last header line not yet in).
    kept.write('GET /healthz HTTP/1.1\r\nHost: paylink.example.com\r\n');
    await sleep(100);
    const asked = Date.now();
    let stoppedAt: number | undefined;
    const stopping = h.paylink.stop(6_000).then(() => {
      stoppedAt = Date.now();
    });
    await sleep(100);
    kept.write('Connection: keep-alive\r\n\r\n');
    const first = await kept.response();
    if (first === 'closed') throw new Error('not answered');
    expect(first.status).toBe(503);
    const heads = [first.head];
    // It then polls every second on the same connection while the connection lasts.
    while (!kept.closed && stoppedAt === undefined && Date.now() - asked < 10_000) {
      await sleep(1_000);
      if (kept.closed) break;
      kept.write('GET /healthz HTTP/1.1\r\nHost: paylink.example.com\r\nConnection: keep-alive\r\n\r\n');
      const answer = await kept.response().catch(() => 'closed' as const);
      if (answer === 'closed') break;
      heads.push(answer.head);
    }
    await stopping;
    const tookMs = (stoppedAt ?? Date.now()) - asked;
    // The stop does not wait out its grace, and the answer says the connection closes.
    expect(h.logs.filter((line) => line.includes('"shutdown_grace_expired"'))).toEqual([]);
    expect(tookMs, heads.join('\n---\n')).toBeLessThan(3_000);
    expect(first.head).toMatch(/^connection: close$/im);
  }, 30_000);
});
