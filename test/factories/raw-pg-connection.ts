/**
 * A PostgreSQL wire-protocol connection that sends exactly the bytes a test gives it, for
 * tests that must split a message batch where `pg` never would (see pglite-server.int-spec.ts).
 * Trust authentication only; no TLS.
 */
import { connect, type Socket } from 'node:net';

export interface BackendMessage {
  type: string;
  body: Buffer;
}

export class RawPgConnection {
  private buffer = Buffer.alloc(0);
  private readonly received: BackendMessage[] = [];
  private waiter?: () => void;
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      while (this.buffer.length >= 5 && this.buffer.length >= 1 + this.buffer.readInt32BE(1)) {
        const length = 1 + this.buffer.readInt32BE(1);
        this.received.push({ type: String.fromCharCode(this.buffer[0]), body: this.buffer.subarray(5, length) });
        this.buffer = this.buffer.subarray(length);
      }
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
  }

  /** Connects and completes the startup handshake (up to the first ReadyForQuery). */
  static async open(url: string): Promise<RawPgConnection> {
    const { hostname, port, username, pathname } = new URL(url);
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const connection = new RawPgConnection(socket);
    const params = Buffer.concat([
      cstring('user'),
      cstring(username || 'postgres'),
      cstring('database'),
      cstring(pathname.slice(1) || 'postgres'),
      Buffer.from([0]),
    ]);
    const startup = Buffer.concat([int32(8 + params.length), int32(196608), params]);
    connection.send(startup);
    await connection.waitFor('Z');
    return connection;
  }

  /** Parse, Bind, Describe, Execute, Sync of one unnamed statement with text parameters. */
  static extendedQuery(sql: string, values: string[]): Buffer {
    const parameters = values.map((value) => Buffer.concat([int32(Buffer.byteLength(value)), Buffer.from(value)]));
    return Buffer.concat([
      message('P', cstring(''), cstring(sql), int16(0)),
      message('B', cstring(''), cstring(''), int16(0), int16(values.length), ...parameters, int16(0)),
      message('D', Buffer.from('P'), cstring('')),
      message('E', cstring(''), int32(0)),
      message('S'),
    ]);
  }

  /** The text values of the first DataRow. */
  static firstRow(messages: BackendMessage[]): Array<string | null> | undefined {
    const row = messages.find((m) => m.type === 'D');
    if (!row) return undefined;
    const values: Array<string | null> = [];
    let offset = 2;
    for (let column = 0; column < row.body.readInt16BE(0); column++) {
      const length = row.body.readInt32BE(offset);
      offset += 4;
      values.push(length < 0 ? null : row.body.subarray(offset, offset + length).toString());
      offset += Math.max(length, 0);
    }
    return values;
  }

  /** The message text of each ErrorResponse. */
  static errors(messages: BackendMessage[]): string[] {
    return messages
      .filter((m) => m.type === 'E')
      .map((m) => {
        const field = m.body.toString().split('\0').find((f) => f.startsWith('M'));
        return field ? field.slice(1) : 'unknown error';
      });
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Messages received so far, up to and including the first of `type`; they are consumed. */
  async waitFor(type: string): Promise<BackendMessage[]> {
    for (;;) {
      const index = this.received.findIndex((m) => m.type === type);
      if (index >= 0) return this.received.splice(0, index + 1);
      if (this.closed) throw new Error(`Connection closed before a '${type}' message arrived`);
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }

  close(): void {
    this.socket.end(message('X'));
    this.socket.destroy();
  }
}

function message(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
}

function cstring(text: string): Buffer {
  return Buffer.from(`${text}\0`);
}

function int16(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeInt16BE(value);
  return bytes;
}

function int32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(value);
  return bytes;
}
