// `npm run spec:schema`: writes the pipeline spec's JSON Schema (schema/spec.schema.json) from
// the zod schema in spec/schema.ts. Run it after changing the spec; test/unit/spec-json-schema.test.ts
// fails while the committed file differs from what this writes.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import { specJsonSchema } from '../spec/json-schema.js';

export const SPEC_SCHEMA_PATH = 'schema/spec.schema.json';

/** The file's text, formatted as `prettier --check` wants it (short arrays on one line). */
export async function renderSpecJsonSchema(): Promise<string> {
  const options = (await prettier.resolveConfig(SPEC_SCHEMA_PATH)) ?? {};
  return prettier.format(JSON.stringify(specJsonSchema(), null, 2), { ...options, parser: 'json' });
}

// Run, not imported (the test imports renderSpecJsonSchema).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    mkdirSync(path.dirname(SPEC_SCHEMA_PATH), { recursive: true });
    writeFileSync(SPEC_SCHEMA_PATH, await renderSpecJsonSchema());
    console.log(`wrote ${SPEC_SCHEMA_PATH}`);
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}
