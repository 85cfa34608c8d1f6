import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../support/databases.js';
import { type Harness, startHarness } from '../support/paylink-harness.js';

/** A TCP relay to PostgreSQL whose connections a test cuts, as a network or a proxy dropping them would. */
async function relayTo(databaseUrl: string): Promise<{ url: string; cut(): void; close(): Promise<void> }> {
  const target = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const relayed = new URL(databaseUrl);
  relayed.hostname = '127.0.0.1';
  relayed.port = String((server.address() as AddressInfo).port);
  return {
    url: relayed.toString(),
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('a PostgreSQL connection cut by the network while idle', () => {
  let app: Harness | undefined;
  let database: TestDatabase | undefined;
  let relay: Awaited<ReturnType<typeof relayTo>> | undefined;
  afterEach(async () => {
    await app?.close();
    await relay?.close();
    await database?.drop();
    app = database = relay = undefined;
  });

  it('is logged with its cause, which the operator reads', async () => {
    database = await freshDatabase('postgres');
    relay = await relayTo(database.url);
    app = await startHarness({ databaseUrl: relay.url });
    // A connection the pool keeps between queries.
    await app.paylink.ledger.findLink('AAAAAAAAAAAAAAAAAAAAAA');

    relay.cut();

    const [lost] = await app.waitForLog('ledger_connection_lost');
    expect(lost?.error).toEqual(expect.any(String));
  });
});
