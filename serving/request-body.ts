import type { IncomingMessage } from 'node:http';
import { lingerOnClose } from './connections.js';
import { HttpError } from './http-errors.js';

/**
 * Reads a JSON request body of at most `maxBytes`. A declared Content-Length above the limit is
 * refused before anything is read, and a body that grows past it while streaming (chunked) is
 * refused as soon as it does: an oversized body is never held in memory. Both close the connection
 * (lingering, so the client reads its 413), since the rest of the body is not read.
 *
 * JSON.parse never calls setters, so `{"__proto__": ...}` becomes an own property of a plain
 * object, not a prototype change; the validators then refuse such keys by name.
 */
export function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(request, maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        request.off('data', onData);
        request.off('end', onEnd);
        chunks.length = 0;
        reject(tooLarge(request, maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        reject(new HttpError(400, 'invalid_json', 'the request body is empty: send a JSON object'));
        return;
      }
      try {
        resolve(JSON.parse(text));
      } catch (error) {
        reject(
          new HttpError(
            400,
            'invalid_json',
            `the request body is not valid JSON: ${(error as Error).message}`,
          ),
        );
      }
    };
    request.on('data', onData);
    request.on('end', onEnd);
    // The connection closed mid-body: the client went away, or took longer than the request
    // timeout and was answered 408 by the server (serving/connections.ts). Either way nothing is
    // sent now; the error is what the request's metrics record.
    request.on('error', () => reject(cutShort(request)));
  });
}

function cutShort(request: IncomingMessage): HttpError {
  const socketError = request.socket?.errored as NodeJS.ErrnoException | null | undefined;
  return socketError?.code === 'ERR_HTTP_REQUEST_TIMEOUT'
    ? new HttpError(
        408,
        'request_timeout',
        'the request body did not arrive in full within MLOPS_SERVING_REQUEST_TIMEOUT',
      )
    : new HttpError(400, 'invalid_request', 'the connection closed before the request body was complete');
}

/** The connection closes after the 413, lingering so that the client reads it (lingerOnClose). */
function tooLarge(request: IncomingMessage, maxBytes: number): HttpError {
  lingerOnClose(request.socket);
  // What still comes is read and dropped, not left to stall the client's writes until the close.
  request.resume();
  return new HttpError(
    413,
    'body_too_large',
    `the request body is larger than ${maxBytes} bytes (MLOPS_MAX_BODY_BYTES): send fewer instances per request`,
    [],
    { connection: 'close' },
  );
}
