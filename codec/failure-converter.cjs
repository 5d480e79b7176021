// The failure converter of every client and worker (codec/data-converter.ts): error messages and
// stack traces travel as an encoded payload, which the payload codec then encrypts, instead of as
// plain text in the history. A CommonJS file because the SDK require()s it by path in each process
// (tsx and vitest do not hook require for .ts) and bundles it into the workflow sandbox, where
// failures that workflows raise are converted.
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
