/**
 * Which remote dataset sources a spec may name. A spec is untrusted: without these rules an
 * `http://127.0.0.1:<port>/` source reads the S3 listing, the Temporal UI's API or the serving
 * admin routes into a dataset (SSRF), and an `s3://` source reads any bucket the worker's
 * credentials reach. Pure rules here; activities/pipeline/http-source.ts applies the address rule
 * at connect time (after DNS) and after every redirect.
 */
import { BlockList, isIP } from 'node:net';
import { DatasetInputError } from './errors.js';

export interface SourcePolicy {
  /** The platform's bucket: its `datasets/` prefix (snapshots, production data) is always readable. */
  readonly platformBucket: string;
  /** Further `bucket` or `bucket/prefix` entries datasets may come from (MLOPS_DATA_BUCKETS). */
  readonly dataBuckets: readonly string[];
  /** Hosts, addresses or CIDR ranges that http(s) sources may reach although not public (MLOPS_HTTP_SOURCES_ALLOW). */
  readonly httpAllow: readonly string[];
}

/** Reserved, private, loopback, link-local, multicast and documentation ranges (RFC 6890 and kin). */
const nonPublic = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  nonPublic.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  nonPublic.addSubnet(network, prefix, 'ipv6');

/** An IPv4 address written as IPv6 (`::ffff:127.0.0.1`, `::ffff:7f00:1`) as the IPv4 it is. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(?:0:)?(.+)$/i.exec(address);
  if (!mapped) return address;
  if (isIP(mapped[1]) === 4) return mapped[1];
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(mapped[1]);
  if (!hex) return address;
  const high = Number.parseInt(hex[1], 16);
  const low = Number.parseInt(hex[2], 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

export function isPublicAddress(address: string): boolean {
  const plain = unmapped(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  const family = isIP(plain);
  if (family === 0) return false;
  return !nonPublic.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

/** Whether the allow-list names this host (case-insensitive) or, for an address, a range holding it. */
export function isAllowListed(hostOrAddress: string, allow: readonly string[]): boolean {
  const host = hostOrAddress.replace(/^\[|\]$/g, '').toLowerCase();
  const address = unmapped(host);
  const family = isIP(address);
  return allow.some((entry) => {
    const [network, prefixText] = entry.toLowerCase().split('/');
    if (prefixText === undefined) return network === host || network === address;
    const networkFamily = isIP(network);
    if (family === 0 || networkFamily !== family) return false;
    const list = new BlockList();
    list.addSubnet(network, Number(prefixText), family === 4 ? 'ipv4' : 'ipv6');
    return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  });
}

/** Refuses an address an http(s) source resolved to, unless public or allow-listed. */
export function checkSourceAddress(
  uri: string,
  host: string,
  address: string,
  policy: Pick<SourcePolicy, 'httpAllow'>,
): void {
  if (isPublicAddress(address) || isAllowListed(host, policy.httpAllow)) return;
  if (isAllowListed(address, policy.httpAllow)) return;
  throw new DatasetInputError(
    `dataset ${JSON.stringify(uri)} reaches ${host === address ? address : `${host} (${address})`}, a loopback, ` +
      "private or link-local address, which http(s) sources may not reach: such addresses hold the platform's own " +
      'services. If the data really is served there, add the host or its range to MLOPS_HTTP_SOURCES_ALLOW on the workers',
  );
}

/** The parts of an http(s) URL a source may have: no credentials in it, a host, a known scheme. */
export function checkHttpUrl(uri: string): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new DatasetInputError(`dataset URI ${JSON.stringify(uri)} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new DatasetInputError(
      `dataset source ${JSON.stringify(uri)} is not http(s); only http(s) URLs are fetched`,
    );
  if (url.username || url.password)
    throw new DatasetInputError(
      `dataset URI ${JSON.stringify(redactUserinfo(url))} holds credentials; http(s) sources are fetched without them`,
    );
  return url;
}

function redactUserinfo(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

/**
 * The bucket and key of an `s3://bucket/key` source, if the policy lets datasets come from there
 * and the key is a plain object name (no `.`/`..` segment, even percent-encoded, no control characters).
 */
export function checkS3Source(uri: string, policy: SourcePolicy): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/?#]+)\/([^?#]+)$/i.exec(uri);
  if (!match)
    throw new DatasetInputError(
      `${JSON.stringify(uri)} is not an s3://bucket/key URI (query strings and fragments are not part of a key)`,
    );
  const bucket = match[1];
  let key: string;
  try {
    key = decodeURIComponent(match[2]);
  } catch {
    throw new DatasetInputError(`${JSON.stringify(uri)} has malformed percent-encoding in its key`);
  }
  const problem = keyProblem(key);
  if (problem) throw new DatasetInputError(`dataset ${JSON.stringify(uri)}: the key ${problem}`);
  const allowed = [`${policy.platformBucket}/datasets`, ...policy.dataBuckets].some((entry) => {
    const [entryBucket, ...prefix] = entry.replace(/\/+$/, '').split('/');
    const prefixText = prefix.join('/');
    return entryBucket === bucket && (prefixText === '' || key.startsWith(`${prefixText}/`));
  });
  if (!allowed) {
    throw new DatasetInputError(
      `dataset ${JSON.stringify(uri)} is outside the buckets datasets may be read from ` +
        `(s3://${policy.platformBucket}/datasets/${policy.dataBuckets.map((entry) => `, s3://${entry}`).join('')}); ` +
        'add the bucket (or bucket/prefix) to MLOPS_DATA_BUCKETS on the workers',
    );
  }
  return { bucket, key };
}

function keyProblem(key: string): string | undefined {
  if (Buffer.byteLength(key, 'utf8') > 1024) return 'is longer than 1024 bytes';
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'contains a control character';
  if (key.includes('\\')) return 'contains a backslash';
  let decoded = key;
  for (let round = 0; round < 4 && decoded.includes('%'); round += 1) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      break;
    }
  }
  const segments = decoded.split(/[/\\]/);
  if (decoded.startsWith('/') || segments.some((segment) => segment === '..' || segment === '.'))
    return 'has a "." or ".." segment (path traversal)';
  if (key.split('/').some((segment) => segment === '')) return 'has an empty segment (// or a trailing /)';
  return undefined;
}

/**
 * Where batch scores may be written: the platform bucket's `scores/`, or a bucket (or bucket/prefix)
 * of MLOPS_DATA_BUCKETS, the buckets the platform's data lives in. Anything else is refused.
 */
export function checkScoresDestination(
  uri: string,
  policy: Pick<SourcePolicy, 'platformBucket' | 'dataBuckets'>,
): void {
  const match = /^s3:\/\/([^/?#]+)\/([^?#]+?)\/?$/i.exec(uri);
  const allowed =
    match !== null &&
    [`${policy.platformBucket}/scores`, ...policy.dataBuckets].some((entry) => {
      const [entryBucket, ...rest] = entry.replace(/\/+$/, '').split('/');
      const entryPrefix = rest.join('/');
      return entryBucket === match[1] && (entryPrefix === '' || `${match[2]}/`.startsWith(`${entryPrefix}/`));
    });
  if (!allowed)
    throw new DatasetInputError(
      `${JSON.stringify(uri)} is not where batch scores may go: s3://${policy.platformBucket}/scores/..., ` +
        'or a bucket (or bucket/prefix) listed in MLOPS_DATA_BUCKETS on the workers',
    );
}
