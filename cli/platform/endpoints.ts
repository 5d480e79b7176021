import type { Connections } from '../../config/connections.js';

/** Endpoints as users see them: no passwords or keys. */
export function describeEndpoints(connections: Connections) {
  return {
    temporal: {
      address: connections.temporal.address,
      namespace: connections.temporal.namespace,
      ui: connections.temporal.uiUrl ?? null,
    },
    postgres: { url: redactUrl(connections.databaseUrl) },
    s3: { endpoint: connections.s3.endpoint ?? null, bucket: connections.s3.bucket },
  };
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
