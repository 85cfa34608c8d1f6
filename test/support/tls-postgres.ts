import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { TEST_POSTGRES_URL } from './databases.js';

/**
 * A PostgreSQL server that takes TLS with a self-signed certificate, as most managed PostgreSQL services present one
 * (or one from a private CA not in Node's store): a proxy answering the SSLRequest with 'S', ending TLS, and passing
 * the rest to the test server in plain text.
 */
export async function tlsPostgres(): Promise<{ port: number; close(): Promise<void> }> {
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
      '/CN=managed-postgres',
      '-keyout',
      join(folder, 'key.pem'),
      '-out',
      join(folder, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const key = readFileSync(join(folder, 'key.pem'));
  const cert = readFileSync(join(folder, 'cert.pem'));
  rmSync(folder, { recursive: true, force: true });
  const upstream = new URL(TEST_POSTGRES_URL);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.once('data', (first) => {
      // SSLRequest: length 8, code 80877103.
      if (first.length === 8 && first.readInt32BE(4) === 80877103) {
        client.write('S');
        const tls = new TLSSocket(client, { isServer: true, key, cert });
        const server = netConnect(Number(upstream.port || 5432), upstream.hostname);
        sockets.add(server);
        tls.pipe(server).pipe(tls);
        tls.on('error', () => server.destroy());
        server.on('error', () => tls.destroy());
      } else {
        client.destroy();
      }
    });
    client.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
