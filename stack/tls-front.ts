import { startChild } from './child-process.js';
import { hostPort } from './processes.js';
import type { StackCertificates } from './certificates.js';

export interface TlsFront {
  readonly pid: number;
  /** `host:port` other machines connect to. */
  readonly address: string;
}

/** The mTLS door to the embedded Temporal on `host` (tls-front.mjs says why); port 0: a free one. */
export async function startTlsFront(options: {
  certificates: StackCertificates;
  host: string;
  port: number;
  upstream: string;
  logFile: string;
}): Promise<TlsFront> {
  const child = await startChild<{ port: number }>(
    './tls-front.mjs',
    [options.certificates.folder, options.host, String(options.port), options.upstream],
    { name: 'Temporal TLS front', logFile: options.logFile, timeoutMs: 10_000 },
  );
  return { pid: child.process.pid ?? 0, address: hostPort(options.host, child.ready.port) };
}
