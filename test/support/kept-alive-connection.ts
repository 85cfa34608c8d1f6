import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  head: string;
  body: string;
}

/**
 * A client that keeps its connection open between requests, as a load balancer or reverse proxy in front of paylink
 * does (ALB, nginx `keepalive`, a health checker): raw HTTP/1.1 on one socket.
 */
export class KeptAliveConnection {
  private buffered = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.wake();
    });
    const end = () => {
      this.closed = true;
      this.wake();
    };
    socket.on('close', end);
    socket.on('error', end);
  }

  static async open(port: number): Promise<KeptAliveConnection> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new KeptAliveConnection(socket);
  }

  write(data: string): void {
    this.socket.write(data);
  }

  /** The next whole response on this socket, or 'closed' if the server closed the connection first. */
  async response(timeoutMs = 5_000): Promise<RawResponse | 'closed'> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const whole = this.takeResponse();
      if (whole) return whole;
      if (this.closed) return 'closed';
      if (Date.now() > deadline) throw new Error(`no response: ${this.buffered.toString('latin1')}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private takeResponse(): RawResponse | undefined {
    const text = this.buffered.toString('latin1');
    const headEnd = text.indexOf('\r\n\r\n');
    if (headEnd < 0) return undefined;
    const head = text.slice(0, headEnd);
    const status = Number(head.split(' ')[1]);
    if (/^transfer-encoding:\s*chunked/im.test(head)) {
      const last = text.indexOf('\r\n0\r\n\r\n', headEnd);
      if (last < 0) return undefined;
      this.buffered = this.buffered.subarray(last + '\r\n0\r\n\r\n'.length);
      return { status, head, body: text.slice(headEnd + 4, last) };
    }
    const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.buffered.length < headEnd + 4 + length) return undefined;
    const body = this.buffered.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8');
    this.buffered = this.buffered.subarray(headEnd + 4 + length);
    return { status, head, body };
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}
