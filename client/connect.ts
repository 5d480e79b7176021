import { Client, Connection } from '@temporalio/client';
import { platformDataConverter } from '../codec/data-converter.js';
import type { Config } from '../config/index.js';
import { temporalConnectionOptions, type Connections } from '../config/connections.js';

export interface PlatformClient {
  readonly temporal: Client;
  readonly connections: Connections;
  close(): Promise<void>;
}

/**
 * A Temporal client for the platform's namespace, with Temporal Cloud's API key or mTLS when
 * configured, encrypting every payload it sends (codec/data-converter.ts).
 */
export async function connectClient(config: Config, connections: Connections): Promise<PlatformClient> {
  // Keys first: a missing or malformed key fails before any connection is opened.
  const dataConverter = platformDataConverter(config, connections);
  const connection = await Connection.connect(
    temporalConnectionOptions(config, connections.temporal.address),
  );
  // With tracing on, starting a workflow (and signals, updates, queries) opens a span whose context
  // travels in the workflow's headers, so its workflow and activity spans join the caller's trace.
  const interceptors = config.telemetry.tracing
    ? {
        workflow: [
          new (
            await import('@temporalio/interceptors-opentelemetry/lib/client/index.js')
          ).OpenTelemetryWorkflowClientInterceptor(),
        ],
      }
    : undefined;
  const temporal = new Client({
    connection,
    namespace: connections.temporal.namespace,
    dataConverter,
    interceptors,
  });
  return { temporal, connections, close: () => connection.close() };
}

/** The Temporal UI page of one workflow execution, when the UI's address is known. */
export function workflowUiUrl(
  connections: Connections,
  workflowId: string,
  runId?: string,
): string | undefined {
  const base = connections.temporal.uiUrl;
  if (!base) return undefined;
  const path = `/namespaces/${encodeURIComponent(connections.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return `${base}${path}${runId ? `/${encodeURIComponent(runId)}` : ''}`;
}
