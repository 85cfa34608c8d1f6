import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { TEST_POSTGRES_URL } from './databases.js';

/**
 * A PostgreSQL server that takes TLS with a self-signed certificate, as most managed PostgreSQL services present one
 * (or one from a private CA not in Node's store): a proxy answering the SSLRequest with 'S', ending TLS, and passing
 * the rest to the test server in plain text. With `expired`, the certificate's dates ended in 2020.
 */
export async function tlsPostgres(
  options: { expired?: boolean } = {},
): Promise<{ port: number; certificate: Buffer; close(): Promise<void> }> {
  const folder = mkdtempSync(join(tmpdir(), 'paylink-tls-'));
  const file = (name: string) => join(folder, name);
  const subject = ['-subj', '/CN=managed-postgres', '-keyout', file('key.pem')];
  if (options.expired) {
    // `openssl req` cannot date a certificate in the past; `openssl ca` can, signing the request with its own key.
    writeFileSync(file('index.txt'), '');
    writeFileSync(file('serial'), '01\n');
    writeFileSync(
      file('ca.cnf'),
      `[ca]\ndefault_ca = self\n[self]\ndatabase = ${file('index.txt')}\nnew_certs_dir = ${folder}\nserial = ${file('serial')}\ndefault_md = sha256\npolicy = names\n[names]\ncommonName = supplied\n`,
    );
    execFileSync('openssl', ['req', '-new', '-nodes', ...subject, '-out', file('request.pem')], { stdio: 'ignore' });
    execFileSync(
      'openssl',
      [
        'ca',
        '-batch',
        '-selfsign',
        '-config',
        file('ca.cnf'),
        '-keyfile',
        file('key.pem'),
        '-in',
        file('request.pem'),
        '-out',
        file('cert.pem'),
        '-startdate',
        '20200101000000Z',
        '-enddate',
        '20200102000000Z',
      ],
      { stdio: 'ignore' },
    );
  } else {
    execFileSync('openssl', ['req', '-new', '-x509', '-days', '2', '-nodes', ...subject, '-out', file('cert.pem')], {
      stdio: 'ignore',
    });
  }
  const key = readFileSync(file('key.pem'));
  const cert = readFileSync(file('cert.pem'));
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
    certificate: cert,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
