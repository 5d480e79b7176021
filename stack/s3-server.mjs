// The embedded S3 server, run as a child of the stack launcher so its logger and handlers stay
// out of the launcher's process. Prints one JSON line when listening; exits when the launcher
// disconnects (even if the launcher was killed) or on SIGTERM/SIGINT. Every request must be
// signed with the stack's credentials (s3-signature.mjs); s3rver's fixed S3RVER key is revoked.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import S3rver from 's3rver';
import { requireSignature } from './s3-signature.mjs';

const [directory, portText, bucket, credentialsFile, address = '127.0.0.1'] = process.argv.slice(2);
const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8'));
const AWSAccount = createRequire(import.meta.url)('s3rver/lib/models/account.js');
AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
AWSAccount.DUMMY_ACCOUNT.createKeyPair(credentials.accessKeyId, credentials.secretAccessKey);

const server = new S3rver({
  address,
  port: Number(portText),
  directory,
  silent: true,
  configureBuckets: [{ name: bucket }],
});
// First in the chain: nothing of s3rver's runs for a request that is not signed.
server.middleware.unshift(requireSignature(credentials));
const listening = await server.run();
process.stdout.write(`${JSON.stringify({ port: listening.port })}\n`);

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
