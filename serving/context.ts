import type { IncomingMessage } from 'node:http';
import type { Logger } from '../config/logger.js';
import type { Database } from '../db/client.js';
import type { TokenAuthority } from './auth.js';
import type { RouteLabel, ServingMetrics } from './metrics.js';
import type { PredictionLog } from './prediction-log.js';
import type { ServedModels } from './served-models.js';
import type { ServingSettings } from './settings.js';

/** What every route handler works with. */
export interface ServingContext {
  readonly db: Database;
  readonly models: ServedModels;
  readonly auth: TokenAuthority;
  readonly predictionLog: PredictionLog;
  readonly metrics: ServingMetrics;
  readonly settings: ServingSettings;
  readonly log: Logger;
  readonly shuttingDown: () => boolean;
}

/** Filled in by the handler as it learns them, for the request's metrics. */
export interface RequestLabels {
  route: RouteLabel;
  model: string;
  version: string;
}

export interface Reply {
  readonly status: number;
  /** JSON-encoded unless `text` is given. */
  readonly body?: unknown;
  readonly text?: string;
  readonly contentType?: string;
}

export type RouteHandler = (
  context: ServingContext,
  request: IncomingMessage,
  labels: RequestLabels,
  modelName: string,
  /** The version the path names (`/v2/models/<name>/versions/<v>`), if it names one. */
  version: string | undefined,
) => Promise<Reply> | Reply;
