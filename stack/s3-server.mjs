// The embedded S3 server, run as a child of the stack launcher so its logger and handlers stay
// out of the launcher's process. Prints one JSON line when listening; exits when the launcher
// disconnects (even if the launcher was killed) or on SIGTERM/SIGINT.
import S3rver from 's3rver';

const [directory, portText, bucket] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(portText),
  directory,
  silent: true,
  configureBuckets: [{ name: bucket }],
});
const address = await server.run();
process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);

let closing = false;
async function shutdown() {
  if (closing) return;
  closing = true;
  server.httpServer?.closeAllConnections?.();
  await server.close().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('disconnect', shutdown);
