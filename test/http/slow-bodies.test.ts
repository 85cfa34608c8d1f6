import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, SIGNING_SECRET, startHarness } from '../support/paylink-harness.js';
import { sendSlashCommand } from '../support/slack-requests.js';

/** A request to `path` declaring `declared` bytes of body and sending `sent` of them, then nothing more. */
function trickle(port: number, path: string, declared: number, sent: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
          `X-Slack-Request-Timestamp: ${Math.floor(Date.now() / 1000)}\r\nX-Slack-Signature: v0=00\r\n` +
          `Content-Length: ${declared}\r\n\r\n`,
      );
      socket.write(Buffer.alloc(sent, 'a'), () => resolve(socket));
    });
    socket.on('error', reject);
  });
}

/** What the server answered on `socket`, once it closed the connection. */
function answerOnceClosed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(answer));
  });
}

describe('a request to /slack/events whose body does not arrive (anyone may send one: it is read before its signature)', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('is answered 408 and its connection closed once the body timeout passes, Slack’s own requests going on', async () => {
    h = await startHarness({ engine: 'sqlite', slackBodyTimeoutMs: 500 });
    const senders = await Promise.all(
      Array.from({ length: 5 }, () => trickle(h.paylink.port, '/slack/events', 1024 * 1024, 1024 * 1024 - 1)),
    );
    const started = performance.now();
    const answers = await Promise.all(senders.map(answerOnceClosed));

    expect(answers.map((answer) => answer.split('\r\n')[0])).toEqual(Array(5).fill('HTTP/1.1 408 Request Timeout'));
    expect(performance.now() - started).toBeLessThan(5_000);
    const help = await sendSlashCommand(h.baseUrl, SIGNING_SECRET, { text: 'help' });
    expect(help.status).toBe(200);
  }, 30_000);

  // Bolt routes on the URL's resolved path: each of these reaches its events handler, which reads before it checks.
  it('is cut however its path is spelled, as Bolt resolves it: dot segments, escaped dots, the absolute form', async () => {
    h = await startHarness({ engine: 'sqlite', slackBodyTimeoutMs: 300 });
    const targets = [
      '/slack/./events',
      '/x/../slack/events',
      '/slack/%2e/events',
      'http://paylink.example/slack/events',
    ];
    const senders = await Promise.all(targets.map((target) => trickle(h.paylink.port, target, 1024, 1023)));
    const answers = await Promise.all(senders.map(answerOnceClosed));
    expect(answers.map((answer) => answer.split('\r\n')[0])).toEqual(targets.map(() => 'HTTP/1.1 408 Request Timeout'));
  }, 30_000);
});
