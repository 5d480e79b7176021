import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Artifact } from '../../db/queries/artifacts.js';
import { ArtifactStore, hashFile, type S3Settings } from '../../storage/artifact-store.js';
import { keySegment } from '../../storage/keys.js';

export interface ReportFile {
  readonly uri: string;
  /** Where a person can open it; null when it could not be fetched (see `problem`). */
  readonly path: string | null;
  readonly problem?: string;
}

/**
 * Streams a model version's HTML report from S3 to `<MLOPS_HOME>/reports/<name>-v<version>.html`,
 * so a person can open it in a browser. The bytes are checked against the recorded sha256; a copy
 * that does not match is not left behind.
 */
export async function fetchReport(
  s3: S3Settings,
  report: Artifact,
  target: { readonly home: string; readonly model: string; readonly version: number },
): Promise<ReportFile> {
  const directory = path.join(target.home, 'reports');
  const destination = path.join(directory, `${keySegment(target.model)}-v${target.version}.html`);
  // Written beside the destination and renamed, so a reader never sees half a report.
  const partial = `${destination}.${process.pid}.partial`;
  const store = ArtifactStore.fromSettings(s3);
  try {
    await mkdir(directory, { recursive: true });
    const key = store.keyOf(report.uri);
    if (!(await store.exists(key))) {
      return { uri: report.uri, path: null, problem: `the report object ${report.uri} is missing from S3` };
    }
    await pipeline(await store.get(key), createWriteStream(partial, { mode: 0o644 }));
    const sha256 = await hashFile(partial);
    if (sha256 !== report.sha256) {
      return {
        uri: report.uri,
        path: null,
        problem: `the report object ${report.uri} has sha256 ${sha256}, not the recorded ${report.sha256}`,
      };
    }
    await rename(partial, destination);
    return { uri: report.uri, path: destination };
  } catch (error) {
    return {
      uri: report.uri,
      path: null,
      problem: `could not fetch ${report.uri}: ${error instanceof Error ? error.message : String(error)}`,
    };
  } finally {
    await rm(partial, { force: true });
    store.client.destroy();
  }
}
