import { adelie } from './serving-requests.js';

/**
 * The hostile bodies and credentials of test/security/serving-attacks.test.ts, each with what the
 * prediction server must answer (status, error code, message).
 */

/** A predict body of one penguin whose `field` is the raw JSON text `value`. */
export function penguinWith(field: string, value: string): string {
  return `{"instances": [${penguinText(field, value)}]}`;
}

function penguinText(field: string, value: string): string {
  return JSON.stringify({ ...adelie, [field]: 0 }).replace(`"${field}":0`, `"${field}":${value}`);
}

const DEPTH = 100_000;
const nestedArrays = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
const nestedObjects = `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`;

/** JSON.parse is not recursive, so these parse; the validators must refuse them by shape. */
export const deeplyNested: [string, string, string, RegExp][] = [
  [
    '100,000 levels of [ in a number input',
    penguinWith('Body Mass (g)', nestedArrays),
    'invalid_input',
    /instance 0, field "Body Mass \(g\)": must be a number, not an array/,
  ],
  [
    '100,000 levels of objects in a string input',
    penguinWith('Island', nestedObjects),
    'invalid_input',
    /instance 0, field "Island": must be a string, not an object/,
  ],
  [
    '100,000 levels of [ as an instance',
    `{"instances": [${nestedArrays}]}`,
    'invalid_input',
    /instance 0: must be a JSON object/,
  ],
  ['100,000 levels of [ as the body', nestedArrays, 'invalid_request', /the body must be a JSON object/],
  ['500,000 unclosed [', '['.repeat(500_000), 'invalid_json', /not valid JSON/],
];

/** Finite, however extreme: one instance each. */
export const extremeNumbers = `{"instances": [${[
  ['Body Mass (g)', '1e308'],
  ['Body Mass (g)', '-1e308'],
  ['Body Mass (g)', '-0'],
  ['Beak Depth (mm)', '5e-324'],
]
  .map(([field, value]) => penguinText(field, value))
  .join(',')}]}`;

/** Not numbers JSON allows, or not finite ("NaN" as a string and 1e999 are in serving-requests.ts). */
export const refusedNumbers: [string, string, string, RegExp][] = [
  ['a bare NaN', 'NaN', 'invalid_json', /not valid JSON/],
  ['a bare Infinity', 'Infinity', 'invalid_json', /not valid JSON/],
  ['-1e999 (-Infinity)', '-1e999', 'invalid_input', /field "Body Mass \(g\)": must be a finite number/],
];

/** A token-shaped secret no server knows: it must never come back in an answer. */
export const unknownToken = 'mlops_not-a-real-token-0123456789abcdefghijklmnopq';

export interface Credential {
  readonly sent: string;
  /** The Authorization header for a route (the wrong scope depends on it); undefined: none. */
  readonly header: (route: string) => string | undefined;
  readonly status: number;
  readonly challenge: RegExp;
  readonly message: RegExp;
}

/** Every way to be refused, given a predict-only, a feedback-only and a revoked token. */
export function refusedCredentials(tokens: {
  predict: string;
  feedback: string;
  revoked: string;
}): Credential[] {
  return [
    {
      sent: 'no token',
      header: () => undefined,
      status: 401,
      challenge: /^Bearer realm="mlops"$/,
      message: /needs a bearer token/,
    },
    {
      sent: 'a Basic credential',
      header: () => `Basic ${Buffer.from(`user:${unknownToken}`).toString('base64')}`,
      status: 401,
      challenge: /error="invalid_request"/,
      message: /must be "Bearer <token>"/,
    },
    {
      sent: 'an unknown token',
      header: () => `Bearer ${unknownToken}`,
      status: 401,
      challenge: /error="invalid_token"/,
      message: /the bearer token is not valid/,
    },
    {
      sent: 'a revoked token',
      header: () => `Bearer ${tokens.revoked}`,
      status: 401,
      challenge: /error="invalid_token"/,
      message: /was revoked/,
    },
    {
      sent: 'a token without the scope',
      header: (route) => `Bearer ${route.endsWith('/feedback') ? tokens.predict : tokens.feedback}`,
      status: 403,
      challenge: /error="insufficient_scope"/,
      message: /lacks the (predict|feedback) scope/,
    },
  ];
}

const item = (predictionId: string, extra = '') =>
  `{"predictionId": "${predictionId}", "label": "Adelie"${extra}}`;

/** Feedback bodies with prototype keys, each around a well-formed item for `predictionId`. */
export const feedbackPrototypeKeys: [string, (predictionId: string) => string, string, RegExp][] = [
  [
    'a top-level __proto__',
    (id) => `{"feedback": [${item(id)}], "__proto__": {"polluted": true}}`,
    'invalid_request',
    /unknown fields: __proto__/,
  ],
  [
    'a top-level constructor',
    (id) => `{"feedback": [${item(id)}], "constructor": {"prototype": {"polluted": true}}}`,
    'invalid_request',
    /unknown fields: constructor/,
  ],
  [
    '__proto__ in an item',
    (id) => `{"feedback": [${item(id, ', "__proto__": {"polluted": true}')}]}`,
    'invalid_input',
    /item 0, field "__proto__": is not a field of a feedback item/,
  ],
  [
    'constructor in an item',
    (id) => `{"feedback": [${item(id, ', "constructor": {"prototype": {"polluted": true}}')}]}`,
    'invalid_input',
    /item 0, field "constructor": is not a field of a feedback item/,
  ],
  [
    'prototype in an item',
    (id) => `{"feedback": [${item(id, ', "prototype": {"polluted": true}')}]}`,
    'invalid_input',
    /item 0, field "prototype": is not a field of a feedback item/,
  ],
  [
    '__proto__ as the label',
    (id) => `{"feedback": [{"predictionId": "${id}", "label": {"__proto__": {"polluted": true}}}]}`,
    'invalid_input',
    /item 0, field "label": must be a class label/,
  ],
];
