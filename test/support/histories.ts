import type { LoadedDataConverter, Payload } from '@temporalio/common';
import { decodePayloadValue } from '../../codec/data-converter.js';

/**
 * Every payload in a history but search attribute values (Temporal indexes those: they stay plain)
 * and `patched()` markers' ids (written by the SDK's core, not our converter: names in our code, not data).
 */
export function payloadsOf(value: unknown, found: Payload[] = []): Payload[] {
  if (Array.isArray(value)) value.forEach((item) => payloadsOf(item, found));
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (record.metadata && typeof record.metadata === 'object' && 'data' in record)
      found.push(record as Payload);
    for (const [key, item] of Object.entries(record))
      if (key !== 'searchAttributes' && key !== 'patch-data') payloadsOf(item, found);
  }
  return found;
}

/**
 * A history as a person with the codec sees it (the Temporal UI through the codec server): every
 * payload decoded, as JSON text, one line each, for a test to search.
 */
export async function decodedHistoryText(converter: LoadedDataConverter, history: unknown): Promise<string> {
  const values = await Promise.all(
    payloadsOf(history).map(async (payload) => JSON.stringify(await decodePayloadValue(converter, payload))),
  );
  return values.join('\n');
}
