// AWS Signature Version 4 checks for the embedded S3 server. s3rver accepts unsigned requests as
// anonymous and does not verify V4 signatures at all (only V2), so without this anyone who can
// reach the port reads, lists and replaces artifacts (a champion's model file included). Every
// request must carry a valid header signature by the stack's own credentials, made within 15
// minutes; presigned URLs are refused (the platform makes none).
// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60 * 1000;

/** A Koa middleware that answers 403 unless the request is signed by `credentials`. */
export function requireSignature(credentials) {
  return async function signature(ctx, next) {
    const problem = signatureProblem(ctx.req, credentials);
    if (problem) {
      ctx.status = 403;
      ctx.type = 'application/xml';
      ctx.body =
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<Error><Code>${problem.code}</Code><Message>${problem.message}</Message></Error>`;
      return;
    }
    await next();
  };
}

/** Why a request is not validly signed, or undefined when it is. */
export function signatureProblem(request, credentials, now = Date.now()) {
  const authorization = request.headers.authorization;
  if (!authorization) {
    return { code: 'AccessDenied', message: 'requests must be signed (AWS Signature Version 4)' };
  }
  const parsed =
    /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(
      authorization.trim(),
    );
  if (!parsed)
    return { code: 'AccessDenied', message: 'only AWS Signature Version 4 header signing is accepted' };
  const [, credential, signedHeadersText, signature] = parsed;
  const [accessKeyId, date, region, service, terminator] = credential.split('/');
  if (accessKeyId !== credentials.accessKeyId) {
    return { code: 'InvalidAccessKeyId', message: 'the access key id is not known here' };
  }
  if (!date || !region || service !== 's3' || terminator !== 'aws4_request') {
    return { code: 'AccessDenied', message: 'the credential scope is malformed' };
  }
  const amzDate = request.headers['x-amz-date'];
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined || !amzDate.startsWith(date)) {
    return { code: 'AccessDenied', message: 'x-amz-date is missing or does not match the credential scope' };
  }
  if (Math.abs(now - signedAt) > MAX_SKEW_MS) {
    return { code: 'RequestTimeTooSkewed', message: 'the request was signed more than 15 minutes from now' };
  }
  const signedHeaders = signedHeadersText.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date')) {
    return { code: 'AccessDenied', message: 'host and x-amz-date must be signed' };
  }
  const payloadHash = request.headers['x-amz-content-sha256'];
  if (!payloadHash) return { code: 'AccessDenied', message: 'x-amz-content-sha256 is required' };
  const [path, query = ''] = request.url.split(/\?(.*)/s);
  const canonicalRequest = [
    request.method,
    path,
    canonicalQuery(query),
    signedHeaders.map((name) => `${name}:${headerValue(request.headers[name])}\n`).join(''),
    signedHeadersText,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/s3/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${credentials.secretAccessKey}`, date);
  for (const part of [region, 's3', 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { code: 'SignatureDoesNotMatch', message: 'the request signature does not match' };
  }
  return undefined;
}

function parseAmzDate(value) {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** Query parameters decoded, re-encoded the RFC 3986 way and sorted (by name, then value). */
function canonicalQuery(query) {
  if (query === '') return '';
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      const value = equals === -1 ? '' : pair.slice(equals + 1);
      return [uriEscape(decode(name)), uriEscape(decode(value))];
    })
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function decode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function uriEscape(text) {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function headerValue(value) {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return String(text).trim().replace(/\s+/g, ' ');
}

function sha256Hex(text) {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function hmac(key, text) {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}
