/**
 * Fetching an http(s) dataset source under the source policy (data/source-policy.ts). The address
 * is checked in the socket's own DNS lookup, so what is checked is what is connected to (no
 * rebinding between a check and the connection); redirects are followed by hand, each hop checked
 * again, at most five.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { checkHttpUrl, checkSourceAddress, DatasetInputError, type SourcePolicy } from '../../data/index.js';

const MAX_REDIRECTS = 5;
/** Waiting for a server to answer, or for the next bytes of its body: past this, a retryable error. */
const IDLE_TIMEOUT_MS = 60_000;

/** The response of a GET whose every hop passed the policy; the caller reads its body. */
export async function getHttpSource(
  uri: string,
  policy: Pick<SourcePolicy, 'httpAllow'>,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  let url = checkHttpUrl(uri);
  for (let hop = 0; ; hop += 1) {
    const response = await get(uri, url, policy, signal);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (hop === MAX_REDIRECTS)
        throw new DatasetInputError(`GET ${uri} redirected more than ${MAX_REDIRECTS} times`);
      url = checkHttpUrl(new URL(response.headers.location, url).href);
      continue;
    }
    if (status >= 400 && status < 500) {
      response.resume();
      throw new DatasetInputError(`GET ${uri} answered ${status} ${response.statusMessage ?? ''}`.trim());
    }
    if (status < 200 || status >= 300) {
      response.resume();
      throw new Error(`GET ${uri} answered ${status} ${response.statusMessage ?? ''}`.trim());
    }
    return response;
  }
}

function get(
  uri: string,
  url: URL,
  policy: Pick<SourcePolicy, 'httpAllow'>,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // A literal address is never looked up, so it is checked here; a name is checked as it resolves.
  if (isIP(host) !== 0) checkSourceAddress(uri, host, host, policy);
  const lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      try {
        for (const { address } of addresses) checkSourceAddress(uri, hostname, address, policy);
      } catch (refusal) {
        return callback(refusal as Error, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(url, { lookup, signal, timeout: IDLE_TIMEOUT_MS }, resolve);
    request.on('timeout', () =>
      request.destroy(new Error(`GET ${uri}: no answer for ${IDLE_TIMEOUT_MS / 1000} s (will retry)`)),
    );
    request.on('error', reject);
  });
}
