import type { Flight, TrafficWeek } from './traffic.js';

export interface ServedPrediction {
  readonly predictionId: string;
  readonly version: number;
  /** Probability the flight is delayed. */
  readonly probability: number;
  readonly delayed: boolean;
}

export interface WeekTraffic {
  readonly requests: number;
  readonly predictions: ServedPrediction[];
  readonly failures: number;
  readonly labelsSent: number;
}

interface PendingLabel {
  readonly due: number;
  readonly predictionId: string;
  readonly delayed: boolean;
}

const TICK_MS = 250;
const BATCH = 32;

/**
 * Plays weeks of flights through the prediction server at an accelerated clock: a simulated week
 * lasts `weekSeconds` of wall time, requests go out in time order in batches of up to 32, and each
 * flight's true outcome is sent back as feedback `labelDelayHours` (simulated) after its prediction.
 */
export class TrafficReplay {
  private readonly pending: PendingLabel[] = [];
  private labelsSent = 0;

  constructor(
    private readonly options: {
      url: string;
      token: string;
      model: string;
      weekSeconds: number;
      labelDelayHours: number;
    },
  ) {}

  async playWeek(week: TrafficWeek): Promise<WeekTraffic> {
    const wallStart = Date.now();
    const span = week.end - week.start;
    const wallOf = (flight: Flight) =>
      wallStart + ((flight.at - week.start) / span) * this.options.weekSeconds * 1000;
    const labelDelayMs =
      (this.options.labelDelayHours * 3600 * 1000 * this.options.weekSeconds * 1000) / (7 * 24 * 3600 * 1000);
    const predictions: ServedPrediction[] = [];
    let requests = 0;
    let failures = 0;
    const labelsBefore = this.labelsSent;
    let next = 0;
    while (Date.now() < wallStart + this.options.weekSeconds * 1000 || next < week.flights.length) {
      const due: Flight[] = [];
      while (next < week.flights.length && wallOf(week.flights[next]) <= Date.now())
        due.push(week.flights[next++]);
      for (let start = 0; start < due.length; start += BATCH) {
        const batch = due.slice(start, start + BATCH);
        requests += 1;
        const served = await this.predict(batch).catch(() => undefined);
        if (!served) {
          failures += 1;
          continue;
        }
        predictions.push(...served);
        for (const prediction of served)
          this.pending.push({
            due: Date.now() + labelDelayMs,
            predictionId: prediction.predictionId,
            delayed: prediction.delayed,
          });
      }
      await this.sendDueLabels(Date.now());
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
    return { requests, predictions, failures, labelsSent: this.labelsSent - labelsBefore };
  }

  /** Sends every label still waiting (the end of the replay). */
  async flushLabels(): Promise<void> {
    await this.sendDueLabels(Number.POSITIVE_INFINITY);
  }

  private async predict(flights: Flight[]): Promise<ServedPrediction[]> {
    const response = await this.post(`/v1/models/${encodeURIComponent(this.options.model)}:predict`, {
      instances: flights.map((flight) => flight.instance),
    });
    const body = (await response.json()) as {
      predictionIds: string[];
      version: number;
      probabilities: Record<string, number>[];
    };
    return flights.map((flight, index) => ({
      predictionId: body.predictionIds[index],
      version: body.version,
      probability: body.probabilities[index]?.true ?? 0,
      delayed: flight.delayed,
    }));
  }

  private async sendDueLabels(now: number): Promise<void> {
    const due = this.pending.filter((label) => label.due <= now);
    if (due.length === 0) return;
    this.pending.splice(0, this.pending.length, ...this.pending.filter((label) => label.due > now));
    for (let start = 0; start < due.length; start += 500) {
      const batch = due.slice(start, start + 500);
      await this.post(`/v1/models/${encodeURIComponent(this.options.model)}/feedback`, {
        feedback: batch.map((label) => ({ predictionId: label.predictionId, label: label.delayed })),
      }).then(
        () => (this.labelsSent += batch.length),
        () => undefined,
      );
    }
  }

  private async post(path: string, body: unknown): Promise<Response> {
    const response = await fetch(`${this.options.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return response;
  }
}
