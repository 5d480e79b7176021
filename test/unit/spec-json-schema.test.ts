import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { renderSpecJsonSchema, SPEC_SCHEMA_PATH } from '../../scripts/spec-schema.js';
import { parseSpec, parseSpecText } from '../../spec/parse.js';

/** Every spec the repository ships: examples/*.yaml and the trainers' examples/trainers/<name>/spec.yaml. */
const exampleSpecs = readdirSync('examples', { recursive: true, encoding: 'utf8' })
  // Not what a trainer's local virtual environment (.venv/) or packages may hold.
  .filter((file) => file.endsWith('.yaml') && !/(^|[\\/])(\.|node_modules[\\/])/.test(file))
  .map((file) => path.join('examples', file))
  .sort();

const committed = readFileSync(SPEC_SCHEMA_PATH, 'utf8');
// Strict, so a keyword Ajv does not know fails here rather than being ignored by editors; union
// types (`type: [string, number]`) and `required` in the gates' oneOf/not are valid draft 2020-12.
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, strictRequired: false });
const validate = ajv.compile(JSON.parse(committed));
const penguins = parseYaml(readFileSync('examples/penguins.yaml', 'utf8')) as Record<string, unknown>;

/** What the JSON Schema says of a document: the Ajv errors' paths and messages, none when valid. */
function schemaProblems(document: unknown): string[] {
  if (validate(document)) return [];
  return (validate.errors ?? []).map(
    (error) =>
      `${error.instancePath || '(document)'} ${error.message}${error.keyword === 'additionalProperties' ? `: ${JSON.stringify(error.params.additionalProperty)}` : ''}`,
  );
}

describe('the spec JSON Schema (schema/spec.schema.json)', () => {
  it('is what spec/schema.ts generates', async () => {
    expect(committed, 'schema/spec.schema.json is stale: run `npm run spec:schema` and commit it').toBe(
      await renderSpecJsonSchema(),
    );
  });

  it('finds the example specs', () => {
    expect(exampleSpecs).toContain('examples/penguins.yaml');
    expect(exampleSpecs).toContain('examples/trainers/sklearn/spec.yaml');
  });

  it.each(exampleSpecs)('accepts %s, which parseSpec accepts too', (file) => {
    const text = readFileSync(file, 'utf8');
    expect(schemaProblems(parseYaml(text))).toEqual([]);
    expect(() => parseSpecText(text, file)).not.toThrow();
  });

  it.each(exampleSpecs)('is named by the first line of %s, for editors', (file) => {
    const relative = path.relative(path.dirname(file), SPEC_SCHEMA_PATH).split(path.sep).join('/');
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe(`# yaml-language-server: $schema=${relative}`);
  });

  it('leaves fields with defaults optional: the smallest spec parseSpec accepts is valid', () => {
    const smallest = {
      name: 'churn',
      dataset: { uri: './customers.csv' },
      target: 'churned',
      train: { trainer: 'logistic_regression' },
    };
    expect(() => parseSpec(smallest)).not.toThrow();
    expect(schemaProblems(smallest)).toEqual([]);
    expect(schemaProblems({ ...smallest, target: undefined })).toEqual([
      "(document) must have required property 'target'",
    ]);
  });

  it('refuses a misspelled field, as parseSpec does', () => {
    const { target, ...rest } = penguins;
    const misspelled = { ...rest, tragets: target };
    expect(schemaProblems(misspelled)).toEqual(
      expect.arrayContaining([
        "(document) must have required property 'target'",
        '(document) must NOT have additional properties: "tragets"',
      ]),
    );
    expect(() => parseSpec(misspelled)).toThrow(/tragets: unknown field; did you mean "target"\?/);
  });

  it('refuses misspelled fields at any depth', () => {
    const train = { ...(penguins.train as object), maxParalelTrials: 2 };
    expect(schemaProblems({ ...penguins, train })).toEqual([
      '/train must NOT have additional properties: "maxParalelTrials"',
    ]);
    const validation = { columns: { Species: { alowed: ['Adelie'] } } };
    expect(schemaProblems({ ...penguins, validation })).toEqual([
      '/validation/columns/Species must NOT have additional properties: "alowed"',
    ]);
  });

  it('checks values against the same enums and bounds as the zod schema', () => {
    expect(schemaProblems({ ...penguins, train: { trainer: 'xgboost' } })).toEqual([
      '/train/trainer must be equal to one of the allowed values',
    ]);
    expect(schemaProblems({ ...penguins, split: { testFraction: 1 } })).toEqual([
      '/split/testFraction must be < 1',
    ]);
    expect(schemaProblems({ ...penguins, serving: { allowMissing: ['Island', ''] } })).toEqual([
      '/serving/allowMissing/1 must NOT have fewer than 1 characters',
    ]);
    expect(schemaProblems({ ...penguins, serving: { allowMissing: ['Island'] } })).toEqual([]);
  });

  it("holds the gates' refinement: one of metric or fairness, a threshold, attribute with fairness only", () => {
    const withGates = (...gates: object[]) => ({ ...penguins, evaluation: { gates } });
    for (const gate of [
      { metric: 'accuracy', fairness: 'demographic_parity_difference', max: 0.5 },
      { min: 0.9 },
      { metric: 'accuracy' },
      { metric: 'accuracy', attribute: 'Sex', min: 0.9 },
    ]) {
      expect(schemaProblems(withGates(gate)), JSON.stringify(gate)).not.toEqual([]);
      expect(() => parseSpec(withGates(gate)), JSON.stringify(gate)).toThrow(/evaluation\.gates\[0\]/);
    }
    expect(
      schemaProblems(withGates({ fairness: 'demographic_parity_ratio', attribute: 'Sex', min: 0.8 })),
    ).toEqual([]);
  });

  it('documents every field in docs/spec.md, whose complete spec is valid', () => {
    const docs = readFileSync('docs/spec.md', 'utf8');
    const complete = /## A complete spec[\s\S]*?```yaml\n([\s\S]*?)```/.exec(docs)?.[1] ?? '';
    expect(schemaProblems(parseYaml(complete))).toEqual([]);
    expect(() => parseSpecText(complete, 'docs/spec.md')).not.toThrow();
    const undocumented = fieldNames(JSON.parse(committed)).filter((name) => !docs.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });
});

/** Every property name the schema declares, at any depth. */
function fieldNames(node: unknown): string[] {
  if (node === null || typeof node !== 'object') return [];
  const entries = Object.entries(node as Record<string, unknown>);
  return [
    ...new Set(
      entries.flatMap(([key, value]) => [
        ...(key === 'properties' ? Object.keys(value as object) : []),
        ...fieldNames(value),
      ]),
    ),
  ];
}
