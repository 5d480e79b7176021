import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * Raw-socket clients for the serving attack tests: what fetch cannot do (trickle bytes, stream a
 * body without waiting for it to be read, use a connection of its own and nothing else).
 */

export interface RawAnswer {
  /** The HTTP status the server answered, undefined when the connection closed without one. */
  readonly status: number | undefined;
  /** The answer's JSON body (`{ text }` when it was not JSON). */
  readonly body: Record<string, unknown>;
  readonly text: string;
  /** From connecting to the server closing the connection (or answering, for `streamRequest`). */
  readonly elapsedMs: number;
  /** Body bytes the client had handed to the socket when the answer arrived. */
  readonly bytesSent: number;
  /** The socket error, if the connection ended with one (a reset). */
  readonly error: string | undefined;
}

function parseAnswer(raw: string): Pick<RawAnswer, 'status' | 'body' | 'text'> {
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(raw)?.[1];
  const text = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: status === undefined ? undefined : Number(status), body, text: raw };
}

function connect(url: string): net.Socket {
  const { hostname, port } = new URL(url);
  return net.connect(Number(port), hostname);
}

/**
 * A slowloris: sends `head`, then one byte of `drip` every `everyMs` for as long as the server
 * keeps the connection open; resolves when the server closes it.
 */
export function slowClient(url: string, head: string, drip: string, everyMs: number): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(url);
    let received = '';
    let sent = 0;
    let error: string | undefined;
    const timer = setInterval(() => {
      if (socket.writable) socket.write(drip[sent++ % drip.length]);
    }, everyMs);
    socket.on('connect', () => socket.write(head));
    socket.on('data', (data: Buffer) => (received += data.toString('utf8')));
    socket.on('error', (failure: NodeJS.ErrnoException) => (error = failure.code ?? failure.message));
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ ...parseAnswer(received), elapsedMs: performance.now() - started, bytesSent: sent, error });
    });
  });
}

/**
 * Sends `head` and then `chunks` as fast as the server reads them (waiting on backpressure), and
 * stops sending as soon as an answer arrives: shows whether the server answered before reading
 * the whole body. Resolves once the answer is complete or the connection is closed.
 */
export function streamRequest(url: string, head: string, chunks: Iterable<Buffer>): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(url);
    let received = '';
    let sent = 0;
    let sentAtAnswer: number | undefined;
    let error: string | undefined;
    let answered = false;
    const finish = () => {
      if (answered) return;
      answered = true;
      resolve({
        ...parseAnswer(received),
        elapsedMs: performance.now() - started,
        bytesSent: sentAtAnswer ?? sent,
        error,
      });
      socket.destroy();
    };
    const iterator = chunks[Symbol.iterator]();
    const pump = () => {
      while (sentAtAnswer === undefined && !socket.destroyed) {
        const next = iterator.next();
        if (next.done) return;
        sent += next.value.length;
        if (!socket.write(next.value)) return void socket.once('drain', pump);
      }
    };
    socket.on('connect', () => {
      socket.write(head);
      pump();
    });
    socket.on('data', (data: Buffer) => {
      sentAtAnswer ??= sent;
      received += data.toString('utf8');
      const headEnd = received.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(received)?.[1];
      if (headEnd >= 0 && length !== undefined && received.length >= headEnd + 4 + Number(length)) finish();
    });
    socket.on('error', (failure: NodeJS.ErrnoException) => (error = failure.code ?? failure.message));
    socket.on('close', finish);
  });
}

/**
 * Sends `head` and `body` at once, then reads nothing for `pauseMs`: a client that writes its whole
 * request before it looks at the answer (as most do). Returns what it read after the pause, and
 * the socket error it got, if any (ECONNRESET: the server's close discarded the unread answer).
 */
export function sendAllThenRead(
  url: string,
  head: string,
  body: Buffer,
  pauseMs: number,
): Promise<{ text: string; error?: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    socket.pause();
    let text = '';
    let error: string | undefined;
    socket.on('error', (failure: NodeJS.ErrnoException) => (error = failure.code ?? failure.message));
    socket.on('close', () => resolve({ text, error }));
    socket.once('connect', () => {
      socket.write(head);
      socket.write(body);
      setTimeout(() => {
        socket.on('data', (data: Buffer) => (text += data.toString('utf8')));
        socket.resume();
      }, pauseMs);
    });
  });
}

/** A request head for `POST path` with a bearer token and the given framing headers. */
export function requestHead(path: string, token: string, framing: Record<string, string | number>): string {
  const lines = [`POST ${path} HTTP/1.1`, 'host: localhost', `authorization: Bearer ${token}`];
  lines.push('content-type: application/json');
  for (const [name, value] of Object.entries(framing)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** `size` bytes of filler in 64 KiB chunks, one buffer reused (the client holds no copy). */
export function* filler(size: number): Generator<Buffer> {
  const chunk = Buffer.alloc(64 * 1024, ' ');
  for (let offset = 0; offset < size; offset += chunk.length)
    yield offset + chunk.length <= size ? chunk : chunk.subarray(0, size - offset);
}

/** `parts` in chunked transfer encoding (a body of unknown length: no Content-Length to refuse it by). */
export function* chunked(parts: Iterable<Buffer>): Generator<Buffer> {
  for (const part of parts) {
    yield Buffer.from(`${part.length.toString(16)}\r\n`);
    yield part;
    yield Buffer.from('\r\n');
  }
  yield Buffer.from('0\r\n\r\n');
}

/** A JSON request on a connection of its own, closed after the answer (no keep-alive pool to hide behind). */
export function requestOnNewConnection(
  url: string,
  options: { method?: string; token?: string; body?: unknown } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      url,
      {
        method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
        agent: false,
        headers: {
          connection: 'close',
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (piece: string) => (text += piece));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: parseAnswer(`\r\n\r\n${text}`).body }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}
