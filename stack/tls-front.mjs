// The embedded Temporal's door for other machines (`mlops up --listen`): an mTLS endpoint on the
// listen address that passes each connection, once its client certificate checks out against the
// stack's own CA, to the dev server on loopback. The dev server has no authentication or TLS of
// its own, so nothing reaches it from the network without a certificate the stack signed. Run as
// a child of the stack launcher; prints one JSON line when listening; exits when the launcher
// disconnects (even if the launcher was killed) or on SIGTERM/SIGINT.
// Usage: tls-front.mjs <certificate folder> <listen host> <listen port> <upstream host:port>
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';

const [folder, host, portText, upstream] = process.argv.slice(2);
const [upstreamHost, upstreamPort] = [
  upstream.slice(0, upstream.lastIndexOf(':')),
  Number(upstream.slice(upstream.lastIndexOf(':') + 1)),
];
const read = (name) => readFileSync(path.join(folder, name));
const sockets = new Set();

const server = tls.createServer(
  {
    key: read('server.key'),
    cert: read('server.pem'),
    ca: read('ca.pem'),
    requestCert: true,
    rejectUnauthorized: true,
    // gRPC clients insist on HTTP/2 being agreed in the handshake.
    ALPNProtocols: ['h2'],
  },
  (socket) => {
    const toServer = net.connect(upstreamPort, upstreamHost);
    for (const end of [socket, toServer]) {
      sockets.add(end);
      end.on('close', () => sockets.delete(end));
    }
    socket.pipe(toServer).pipe(socket);
    socket.on('error', () => toServer.destroy());
    toServer.on('error', () => socket.destroy());
  },
);
// A client without a valid certificate is refused in the handshake; that is no error of ours.
server.on('tlsClientError', () => undefined);
server.listen(Number(portText), host, () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});

let closing = false;
function shutdown() {
  if (closing) return;
  closing = true;
  server.close();
  for (const socket of sockets) socket.destroy();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('disconnect', shutdown);
