/**
 * A model document's bytes: its canonical JSON, so the same document value always gives the same
 * bytes (and so the same sha256), whatever order its fields were built in.
 */
import { canonicalJson } from '../../contracts/canonical-json.js';
import type { ModelDocument } from './document.js';

export function serializeModelDocument(document: ModelDocument): string {
  return canonicalJson(document);
}
