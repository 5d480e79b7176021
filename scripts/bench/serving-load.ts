import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface LoadResult {
  readonly requests: number;
  readonly failed: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const LUA_SCRIPT = path.resolve('scripts/bench/serving-wrk.lua');

/**
 * Drives `url` with wrk (C, event-driven: it needs far less CPU per request than a Node load
 * generator would, which matters when it shares two cores with the server and PostgreSQL):
 * `connections` keep-alive connections on one thread, each sending `body` as fast as answers come.
 */
export async function runWrk(options: {
  readonly url: string;
  /** POSTed as JSON; undefined: plain GETs (a baseline of what the machine allows). */
  readonly body: unknown;
  readonly token?: string;
  readonly seconds: number;
  readonly connections: number;
  /** Each connection waits this long before its next request (a paced load); 0: none. */
  readonly delayMs?: number;
  readonly scratchFolder: string;
}): Promise<LoadResult> {
  const bodyFile = path.join(options.scratchFolder, `body-${Date.now()}.json`);
  if (options.body !== undefined) await writeFile(bodyFile, JSON.stringify(options.body));
  const args = [
    '-t1',
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    '--latency',
    ...(options.body === undefined ? [] : ['-s', LUA_SCRIPT]),
    options.url,
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('wrk', args, {
      env: {
        ...process.env,
        WRK_BODY_FILE: bodyFile,
        WRK_TOKEN: options.token ?? '',
        WRK_DELAY_MS: String(options.delayMs ?? 0),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error('wrk is not installed: apt-get install -y wrk') : error),
    );
    child.once('exit', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`wrk failed (${code}):\n${text}`)),
    );
  });
  return parseWrkOutput(output);
}

/** The figures of wrk's `--latency` report. */
function parseWrkOutput(output: string): LoadResult {
  const requestsLine = /(\d+) requests in ([\d.]+)(us|ms|s|m),/.exec(output);
  if (!requestsLine) throw new Error(`unexpected wrk output:\n${output}`);
  const requests = Number(requestsLine[1]);
  const seconds = toMilliseconds(Number(requestsLine[2]), requestsLine[3]) / 1000;
  const percentile = (label: string) => {
    const match = new RegExp(`^\\s+${label}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(output);
    return match ? toMilliseconds(Number(match[1]), match[2]) : NaN;
  };
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const errors = socketErrors ? socketErrors.slice(1).reduce((sum, value) => sum + Number(value), 0) : 0;
  return {
    requests,
    failed: non2xx + errors,
    seconds,
    requestsPerSecond: requests / seconds,
    p50Ms: percentile('50'),
    p99Ms: percentile('99'),
  };
}

function toMilliseconds(value: number, unit: string): number {
  switch (unit) {
    case 'us':
      return value / 1000;
    case 'ms':
      return value;
    case 's':
      return value * 1000;
    default:
      return value * 60_000;
  }
}
