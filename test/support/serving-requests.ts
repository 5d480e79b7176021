/**
 * Penguins for the serving tests, and the malformed requests the prediction server must refuse
 * (with the limits the tests start it with: 50 instances, 64 KiB bodies), each with its status,
 * error code and message.
 */
export const adelie = {
  Island: 'Torgersen',
  'Beak Length (mm)': 39.1,
  'Beak Depth (mm)': 18.7,
  'Flipper Length (mm)': 181,
  'Body Mass (g)': 3750,
};
export const gentoo = {
  Island: 'Biscoe',
  'Beak Length (mm)': 46.1,
  'Beak Depth (mm)': 13.2,
  'Flipper Length (mm)': 211,
  'Body Mass (g)': 4500,
};

export interface InvalidRequest {
  readonly raw?: string;
  readonly body?: unknown;
}

export const invalidRequests: [string, InvalidRequest, number, string, RegExp][] = [
  ['invalid JSON', { raw: '{"instances": [' }, 400, 'invalid_json', /not valid JSON/],
  ['an empty body', { raw: '' }, 400, 'invalid_json', /empty/],
  ['a body that is not an object', { body: [adelie] }, 400, 'invalid_request', /must be a JSON object/],
  ['no instances', { body: {} }, 400, 'invalid_request', /"instances" must be an array/],
  ['empty instances', { body: { instances: [] } }, 400, 'invalid_request', /empty/],
  [
    'an unknown top-level field',
    { body: { instances: [adelie], instance: [] } },
    400,
    'invalid_request',
    /field "instance": is not a field/,
  ],
  [
    'a top-level __proto__ key',
    { raw: '{"instances": [{}], "__proto__": {"admin": true}}' },
    400,
    'invalid_request',
    /field "__proto__"/,
  ],
  [
    'an instance that is not an object',
    { body: { instances: [adelie, 5] } },
    400,
    'invalid_input',
    /instance 1: must be a JSON object .* not a number \(5\)/,
  ],
  [
    'an instance that is an array',
    { body: { instances: [[1, 2]] } },
    400,
    'invalid_input',
    /instance 0: must be a JSON object .* not an array/,
  ],
  [
    '"NaN" for a number',
    { body: { instances: [{ ...adelie, 'Body Mass (g)': 'NaN' }] } },
    400,
    'invalid_input',
    /instance 0, field "Body Mass \(g\)": must be a number, not a string \("NaN"\)/,
  ],
  [
    'a numeric string for a number',
    { body: { instances: [{ ...adelie, 'Body Mass (g)': '3750' }] } },
    400,
    'invalid_input',
    /"Body Mass \(g\)": must be a number, not a string/,
  ],
  [
    'a boolean for a number',
    { body: { instances: [{ ...adelie, 'Flipper Length (mm)': true }] } },
    400,
    'invalid_input',
    /"Flipper Length \(mm\)": must be a number, not a boolean/,
  ],
  [
    'an overflowing number (1e999 is Infinity)',
    { raw: `{"instances": [${JSON.stringify(adelie).slice(0, -1)}, "Body Mass (g)": 1e999}]}` },
    400,
    'invalid_input',
    /"Body Mass \(g\)": must be a finite number/,
  ],
  [
    'a number for a string',
    { body: { instances: [{ ...adelie, Island: 3 }] } },
    400,
    'invalid_input',
    /field "Island": must be a string, not a number/,
  ],
  [
    'an object as a value',
    { body: { instances: [{ ...adelie, Island: { name: 'Dream' } }] } },
    400,
    'invalid_input',
    /field "Island": must be a string, not an object/,
  ],
  [
    'an unknown field',
    { body: { instances: [{ ...adelie, Species: 'Adelie' }] } },
    400,
    'invalid_input',
    /field "Species": is not an input of this model/,
  ],
  [
    'a __proto__ key',
    { raw: `{"instances": [{"__proto__": {"polluted": 1}, "Island": "Dream"}]}` },
    400,
    'invalid_input',
    /field "__proto__": is a forbidden key/,
  ],
  [
    'a constructor key',
    { body: { instances: [{ ...adelie, constructor: 'x' }] } },
    400,
    'invalid_input',
    /field "constructor": is a forbidden key/,
  ],
  [
    'a missing required field',
    { body: { instances: [{ ...adelie, Island: undefined }] } },
    400,
    'invalid_input',
    /field "Island": is missing: it is required/,
  ],
  [
    'null for a required field',
    { body: { instances: [{ ...adelie, Island: null }] } },
    400,
    'invalid_input',
    /field "Island": is null/,
  ],
  [
    'too many instances',
    { body: { instances: Array.from({ length: 51 }, () => adelie) } },
    413,
    'too_many_instances',
    /51 items, more than 50/,
  ],
  [
    'an oversized body',
    { body: { instances: [{ ...adelie, Island: 'x'.repeat(70_000) }] } },
    413,
    'body_too_large',
    /larger than 65536 bytes/,
  ],
];
