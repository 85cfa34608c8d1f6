import { afterEach, describe, expect, it } from 'vitest';
import {
  type AppProcess,
  exitCodeOf,
  type ProcessWorld,
  startAppProcess,
  startProcessWorld,
} from '../support/app-process.js';
import { KeptAliveConnection } from '../support/kept-alive-connection.js';
import { SIGNING_SECRET } from '../support/paylink-harness.js';
import { signSlackRequest, slashCommandPayload } from '../support/slack-requests.js';

/** A signed POST /slack/events as raw HTTP/1.1, keep-alive. */
function signedSlackRequest(rawBody: string): string {
  const headers = signSlackRequest(rawBody, SIGNING_SECRET);
  const lines = [
    'POST /slack/events HTTP/1.1',
    'Host: paylink.example.com',
    'Connection: keep-alive',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    `Content-Length: ${Buffer.byteLength(rawBody)}`,
  ];
  return `${lines.join('\r\n')}\r\n\r\n${rawBody}`;
}

const healthRequest = 'GET /healthz HTTP/1.1\r\nHost: paylink.example.com\r\nConnection: keep-alive\r\n\r\n';

describe('SIGTERM with a load balancer keeping its connection to paylink alive (HTTP mode)', () => {
  let world: ProcessWorld | undefined;
  let app: AppProcess | undefined;
  let connection: KeptAliveConnection | undefined;
  afterEach(async () => {
    connection?.destroy();
    await world?.close([app]);
    world = app = connection = undefined;
  });

  /**
   * Opens the kept-alive connection and has a request on it half-sent (its last byte held) when SIGTERM comes: the
   * request under way is answered, saying the connection closes.
   */
  async function sigtermDuringARequest(a: AppProcess): Promise<KeptAliveConnection> {
    const port = Number(new URL(a.baseUrl).port);
    const kept = await KeptAliveConnection.open(port);
    const command = new URLSearchParams(slashCommandPayload({ text: 'help' }) as unknown as Record<string, string>);
    const request = signedSlackRequest(command.toString());
    kept.write(request.slice(0, -1));
    await new Promise((resolve) => setTimeout(resolve, 200));
    a.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    kept.write(request.slice(-1));
    const answered = await kept.response();
    if (answered === 'closed') throw new Error('the request under way at SIGTERM was not answered');
    expect(answered.status).toBe(200);
    expect(answered.head).toMatch(/^connection: close$/im);
    return kept;
  }

  it('answers the request under way, then closes the connection, so the next request goes to another instance', async () => {
    world = await startProcessWorld();
    app = await startAppProcess(world.env);
    const exited = exitCodeOf(app);

    connection = await sigtermDuringARequest(app);
    expect(app.output()).toContain('"event":"stopping"');
    await expect.poll(() => connection?.closed, { timeout: 2_000 }).toBe(true);
    expect(await exited).toBe(0);
  }, 60_000);

  it('exits soon after SIGTERM when nothing is in flight, though a load balancer polls /healthz on its kept connection', async () => {
    world = await startProcessWorld();
    app = await startAppProcess(world.env);
    const exited = exitCodeOf(app);
    let exitedAt: number | undefined;
    void exited.then(() => {
      exitedAt = Date.now();
    });

    connection = await sigtermDuringARequest(app);
    const signalledAt = Date.now();
    const healthAnswers: string[] = [];
    // A health check every second, on the kept connection while it lasts, then on new ones, as load balancers do.
    while (exitedAt === undefined && Date.now() - signalledAt < 30_000) {
      const polled: KeptAliveConnection | undefined = connection.closed
        ? await KeptAliveConnection.open(Number(new URL(app.baseUrl).port)).catch(() => undefined)
        : connection;
      if (polled === undefined) {
        healthAnswers.push('refused');
      } else {
        polled.write(healthRequest);
        const answer = await polled.response().catch(() => 'closed' as const);
        healthAnswers.push(answer === 'closed' ? 'closed' : `${answer.status} ${answer.body}`);
        if (polled !== connection) polled.destroy();
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(await exited).toBe(0);
    const took = (exitedAt ?? Date.now()) - signalledAt;
    expect(app.output()).not.toContain('shutdown_grace_expired');
    expect(took, healthAnswers.join('\n')).toBeLessThan(10_000);
    // Never "ok" once stopping: a load balancer sends it nothing more.
    expect(healthAnswers.filter((answer) => answer.startsWith('200'))).toEqual([]);
  }, 60_000);
});
