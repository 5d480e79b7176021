import type { Payload } from '@temporalio/common';

/**
 * Payloads as the codec server protocol sends them: proto3 JSON of `temporal.api.common.v1.Payloads`,
 * `{"payloads": [{"metadata": {"encoding": "<base64>"}, "data": "<base64>"}]}`.
 */
export interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const base64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** The payloads of a request body, or the problem with it (what a client must change). */
export function payloadsFromJson(body: unknown): Payload[] | string {
  const list = (body as { payloads?: unknown } | null)?.payloads;
  if (typeof body !== 'object' || body === null || !Array.isArray(list))
    return 'the body must be {"payloads": [{"metadata": {...}, "data": "<base64>"}]}';
  const payloads: Payload[] = [];
  for (const [index, item] of list.entries()) {
    if (typeof item !== 'object' || item === null) return `payloads[${index}] must be an object`;
    const { metadata = {}, data = '' } = item as { metadata?: unknown; data?: unknown };
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
      return `payloads[${index}].metadata must be an object of base64 strings`;
    const entries = Object.entries(metadata as Record<string, unknown>);
    const badKey = entries.find(([, value]) => typeof value !== 'string' || !base64.test(value));
    if (badKey) return `payloads[${index}].metadata.${badKey[0]} must be a base64 string`;
    if (typeof data !== 'string' || !base64.test(data))
      return `payloads[${index}].data must be a base64 string`;
    payloads.push({
      metadata: Object.fromEntries(
        entries.map(([key, value]) => [key, Buffer.from(value as string, 'base64')]),
      ),
      data: Buffer.from(data, 'base64'),
    });
  }
  return payloads;
}

export function payloadsToJson(payloads: readonly Payload[]): { payloads: JsonPayload[] } {
  const encode = (bytes: Uint8Array | null | undefined) =>
    Buffer.from(bytes ?? new Uint8Array()).toString('base64');
  return {
    payloads: payloads.map((payload) => ({
      metadata: Object.fromEntries(
        Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, encode(value)]),
      ),
      data: encode(payload.data),
    })),
  };
}
