import { createServer } from 'node:net';

/**
 * A loopback port free right now, found by letting the system pick one and releasing it. For apps that do not
 * say which port PORT=0 became (a child process, Bolt's Socket Mode receiver). Another process could take it
 * before the app binds it; the app then fails to start, loudly.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
