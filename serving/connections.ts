import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { HttpError, type ErrorCode } from './http-errors.js';
import type { ClientErrorReason, ServingMetrics } from './metrics.js';
import type { ServingSettings } from './settings.js';

/**
 * node:http's options for the prediction server. The headers and request timeouts bound how long
 * a client may take to send a request (a slowloris holding connections open by trickling bytes),
 * and node only checks them every `connectionsCheckingInterval`: a tenth of the shorter timeout
 * (at most a second) makes them bite promptly, for the price of a walk over the open requests.
 */
export function connectionOptions(settings: ServingSettings): http.ServerOptions {
  const shorter = Math.min(settings.headersTimeoutMs, settings.requestTimeoutMs);
  return {
    // Idle keep-alive connections outlive a load balancer's usual 60 s, so the balancer closes
    // them first and never sends a request on a connection the server is closing.
    keepAliveTimeout: 65_000,
    headersTimeout: settings.headersTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(shorter / 10))),
  };
}

/**
 * Caps the open connections (past the cap node closes a new one at once, before any byte is read:
 * the cheapest refusal there is) and answers what a client gets wrong before any route sees the
 * request: a timeout (408), headers past node's 16 KiB (431), bytes that are not HTTP (400). Each
 * answer is a JSON error naming the limit, then the connection is closed; all are counted.
 * Returns the function the request handler calls with every request, so a timeout can tell a
 * request whose headers never arrived from one whose body did not.
 */
export function guardConnections(
  server: http.Server,
  settings: ServingSettings,
  metrics: ServingMetrics,
): (request: IncomingMessage, response: ServerResponse) => void {
  server.maxConnections = settings.maxConnections;
  server.on('drop', () => metrics.connectionsRefused.inc([]));
  server.on('connection', (socket: Duplex) => {
    metrics.openConnections.inc([], 1);
    socket.once('close', () => metrics.openConnections.inc([], -1));
  });
  // The request each connection is receiving (headers in, answer not sent yet).
  const receiving = new WeakMap<Duplex, ServerResponse>();
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const response = receiving.get(socket);
    const refusal = describeClientError(error, response !== undefined, settings);
    metrics.clientErrors.inc([refusal.reason]);
    // As node's own handler does: answer only when nothing of an answer went out yet.
    if (refusal.error && socket.writable && !response?.headersSent) socket.write(rawAnswer(refusal.error));
    // With the error, so a route still reading the body learns why (serving/request-body.ts); node
    // has put a no-op 'error' listener on the socket before calling this.
    socket.destroy(error);
  });
  return (request, response) => {
    const socket = request.socket;
    receiving.set(socket, response);
    response.once('close', () => {
      if (receiving.get(socket) === response) receiving.delete(socket);
    });
  };
}

/** How long a connection closed on an unread request body goes on reading it (lingerOnClose). */
const LINGER_MS = 2000;

/**
 * Makes the close after this connection's answer a lingering one, as nginx does when it answers
 * before reading a request's body (a 413): node destroys the socket right after the answer, and
 * with the client's bytes still unread there, the kernel sends a reset instead of a FIN. A reset
 * makes the client's kernel drop whatever it has not read yet, the answer included, so the client
 * sees ECONNRESET instead of the 413. Instead, once the answer is out, the server's side is shut
 * (FIN: the client reads the answer, then end of stream), what the client still sends is read and
 * dropped, and the socket is destroyed when the client closes its side or after LINGER_MS.
 * Node's HTTP server closes a `connection: close` answer's socket with `destroySoon()`, which is
 * what this replaces, for this one socket.
 */
export function lingerOnClose(socket: Socket): void {
  socket.destroySoon = function lingeringClose(this: Socket) {
    const destroy = () => this.destroy();
    const timer = setTimeout(destroy, LINGER_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
    this.once('end', destroy);
    this.on('data', () => undefined);
    this.resume();
    this.end();
  };
}

interface Refusal {
  readonly reason: ClientErrorReason;
  /** Undefined when the client is gone and nothing can be answered. */
  readonly error?: HttpError;
}

function describeClientError(
  error: NodeJS.ErrnoException,
  headersArrived: boolean,
  settings: ServingSettings,
): Refusal {
  const refuse = (reason: ClientErrorReason, status: number, code: ErrorCode, message: string) => ({
    reason,
    error: new HttpError(status, code, message),
  });
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return headersArrived
        ? refuse(
            'body_timeout',
            408,
            'request_timeout',
            `the request did not arrive in full within ${settings.requestTimeoutMs} ms (MLOPS_SERVING_REQUEST_TIMEOUT): send the whole body at once, or fewer instances per request`,
          )
        : refuse(
            'headers_timeout',
            408,
            'request_timeout',
            `the request headers did not arrive within ${settings.headersTimeoutMs} ms (MLOPS_SERVING_HEADERS_TIMEOUT): send the request line and headers at once`,
          );
    case 'HPE_HEADER_OVERFLOW':
      return refuse(
        'headers_too_large',
        431,
        'headers_too_large',
        `the request headers are larger than ${http.maxHeaderSize} bytes: send shorter headers`,
      );
    case 'HPE_INVALID_EOF_STATE':
      // Half-closed mid-request: the client may still read an answer.
      return refuse(
        'reset',
        400,
        'invalid_request',
        'the connection was closed before the request was complete: send the whole request',
      );
    case 'ECONNRESET':
    case 'EPIPE':
      return { reason: 'reset' };
    default:
      return refuse(
        'malformed',
        400,
        'invalid_request',
        `the request is not valid HTTP/1.1 (${error.code ?? 'unknown'}: ${error.message})`,
      );
  }
}

/** There is no response object for a client error: the answer is written to the socket as it goes on the wire. */
function rawAnswer(error: HttpError): string {
  const payload = JSON.stringify(error.body());
  return [
    `HTTP/1.1 ${error.status} ${http.STATUS_CODES[error.status] ?? ''}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(payload)}`,
    'connection: close',
    '',
    payload,
  ].join('\r\n');
}
