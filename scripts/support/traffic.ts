/**
 * HTTP traffic for the serving load: a closed loop (N requests in flight, each sent as the last
 * answered: the capacity) and an open loop (requests at a fixed rate whatever the answers do, as
 * independent clients send them: what "70% of capacity" means). Keep-alive connections, bodies
 * serialized once up front so the generator spends its CPU on sending.
 */
import http from 'node:http';
import { percentile } from './statistics.js';

export interface TrafficTarget {
  readonly url: string;
  readonly token: string;
  /** Serialized request bodies, sent in turn; each holds `rowsPerRequest` instances. */
  readonly bodies: readonly string[];
  readonly rowsPerRequest: number;
}

export interface TrafficResult {
  readonly requests: number;
  /** Answers by HTTP status; 0 counts connection errors. */
  readonly statuses: ReadonlyMap<number, number>;
  /** Predictions answered with 200 (each answer has one per instance sent). */
  readonly predictions: number;
  /** Open loop: requests not sent because `maxInFlight` were still waiting (the server fell behind). */
  readonly skipped: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
}

class Recorder {
  readonly statuses = new Map<number, number>();
  readonly latencies: number[] = [];
  predictions = 0;
  skipped = 0;
  inFlight = 0;
  private next = 0;
  private readonly agent: http.Agent;

  constructor(
    private readonly target: TrafficTarget,
    maxSockets: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  send(): Promise<void> {
    const body = this.target.bodies[this.next++ % this.target.bodies.length];
    const started = performance.now();
    this.inFlight += 1;
    return new Promise<number>((resolve) => {
      const request = http.request(
        this.target.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.target.token}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          response.resume();
          response.once('end', () => resolve(response.statusCode ?? 0));
          response.once('error', () => resolve(0));
        },
      );
      request.once('error', () => resolve(0));
      request.end(body);
    }).then((status) => {
      this.inFlight -= 1;
      this.latencies.push(performance.now() - started);
      this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
      if (status === 200) this.predictions += this.target.rowsPerRequest;
    });
  }

  result(seconds: number): TrafficResult {
    this.agent.destroy();
    return {
      requests: this.latencies.length,
      statuses: this.statuses,
      predictions: this.predictions,
      skipped: this.skipped,
      p50Ms: percentile(this.latencies, 0.5),
      p99Ms: percentile(this.latencies, 0.99),
      seconds,
      requestsPerSecond: this.latencies.length / seconds,
    };
  }
}

/** `concurrency` requests always in flight for `seconds`: the most the server answers. */
export async function closedLoop(
  target: TrafficTarget,
  concurrency: number,
  seconds: number,
): Promise<TrafficResult> {
  const recorder = new Recorder(target, concurrency);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const lane = async () => {
    while (performance.now() < deadline) await recorder.send();
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return recorder.result((performance.now() - started) / 1000);
}

/**
 * `ratePerSecond` requests a second for `seconds` (or until `signal` aborts), sent on schedule
 * whether or not earlier ones were answered, with at most `maxInFlight` waiting (past that a send
 * is skipped and counted). `onSecond` runs once a second (the caller samples memory there).
 */
export async function openLoop(
  target: TrafficTarget,
  options: {
    readonly ratePerSecond: number;
    readonly seconds: number;
    readonly maxInFlight: number;
    readonly onSecond?: (elapsedSeconds: number) => void;
    readonly signal?: AbortSignal;
  },
): Promise<TrafficResult> {
  const recorder = new Recorder(target, options.maxInFlight);
  const pending = new Set<Promise<void>>();
  const started = performance.now();
  let sent = 0;
  let lastSecond = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = (performance.now() - started) / 1000;
      const due = Math.floor(Math.min(elapsed, options.seconds) * options.ratePerSecond);
      for (; sent < due; sent += 1) {
        if (recorder.inFlight >= options.maxInFlight) {
          recorder.skipped += 1;
          continue;
        }
        const sending = recorder.send();
        pending.add(sending);
        void sending.then(() => pending.delete(sending));
      }
      if (Math.floor(elapsed) > lastSecond) {
        lastSecond = Math.floor(elapsed);
        options.onSecond?.(lastSecond);
      }
      if (elapsed >= options.seconds || options.signal?.aborted) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  await Promise.all(pending);
  return recorder.result((performance.now() - started) / 1000);
}

/** Answers with status 500 or above. */
export function serverErrors(result: TrafficResult): number {
  return [...result.statuses].reduce((total, [status, count]) => total + (status >= 500 ? count : 0), 0);
}
