/**
 * Local dataset paths. A spec may name any path, so reads are confined to the working directory
 * and the folders in MLOPS_DATA_ROOTS; symlinks are resolved first so that one cannot point out.
 * State folders are never data, even inside a root: the working directory usually holds
 * `.mlops/` (the stack's credentials, tokens and keys), and a validation error quoting a "row" of
 * `.mlops/env` would put the secrets in the run's history.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatasetFormat } from '../spec/types.js';
import { DatasetInputError } from './errors.js';

export interface LocalPathOptions {
  readonly workingDirectory: string;
  /** Folders besides the working directory (MLOPS_DATA_ROOTS). */
  readonly allowedRoots: readonly string[];
  /** Folders never read as data wherever they are (MLOPS_HOME); any `.mlops` folder is one too. */
  readonly stateFolders: readonly string[];
}

/** The folder name of the platform's state (the embedded stack's and the CLI's). */
const STATE_FOLDER_NAME = '.mlops';

/** The absolute real path of a local dataset URI (a plain path or file://), or a DatasetInputError. */
export async function resolveLocalDataPath(uri: string, options: LocalPathOptions): Promise<string> {
  const requested = resolve(options.workingDirectory, localPathOf(uri));
  const roots = await realRoots([options.workingDirectory, ...options.allowedRoots]);
  await refuseStateFolders(uri, requested, options.stateFolders);
  let real: string;
  try {
    real = await realpath(requested);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    // Outside the roots, say so rather than whether the file exists.
    if (!roots.some((root) => isInside(root, requested))) throw outsideRoots(uri, requested, roots);
    throw new DatasetInputError(
      `dataset ${JSON.stringify(uri)} does not exist (looked for ${requested}); check dataset.uri ` +
        `(relative paths start at ${options.workingDirectory})`,
    );
  }
  if (!roots.some((root) => isInside(root, real))) throw outsideRoots(uri, real, roots);
  await refuseStateFolders(uri, real, options.stateFolders);
  if (!(await stat(real)).isFile()) {
    throw new DatasetInputError(
      `dataset ${JSON.stringify(uri)} is not a file (${real}); name one file in dataset.uri`,
    );
  }
  return real;
}

/** Refuses a path (checked as written, then where its symlinks lead) inside a state folder. */
async function refuseStateFolders(uri: string, path: string, stateFolders: readonly string[]): Promise<void> {
  const folders = [...stateFolders.map((folder) => resolve(folder)), ...(await realRoots(stateFolders))];
  if (path.split(sep).includes(STATE_FOLDER_NAME) || folders.some((folder) => isInside(folder, path))) {
    throw new DatasetInputError(
      `dataset ${JSON.stringify(uri)} is inside the platform's state folder (${STATE_FOLDER_NAME}, MLOPS_HOME), ` +
        'which holds credentials and is never read as data; point dataset.uri at a data file',
    );
  }
}

function outsideRoots(uri: string, path: string, roots: readonly string[]): DatasetInputError {
  return new DatasetInputError(
    `dataset ${JSON.stringify(uri)} resolves to ${path}, outside the folders datasets may be read from: ` +
      `${roots.join(', ')}. Move the file under one of them or add its folder to MLOPS_DATA_ROOTS ` +
      '(comma-separated) in the worker environment',
  );
}

function localPathOf(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch (error) {
      throw new DatasetInputError(
        `dataset URI ${JSON.stringify(uri)} is not a valid file URL: ${(error as Error).message}`,
      );
    }
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri);
  if (scheme) {
    throw new DatasetInputError(
      `dataset URI ${JSON.stringify(uri)} is not a local path (scheme ${scheme[1]}:); only plain paths and file:// are local`,
    );
  }
  if (uri.includes('\u0000'))
    throw new DatasetInputError(`dataset path ${JSON.stringify(uri)} contains a NUL character`);
  return uri;
}

/** Roots that exist, as real paths (a root that is itself a symlink still counts where it points). */
async function realRoots(roots: readonly string[]): Promise<string[]> {
  const resolved = await Promise.all(
    roots.filter((root) => root.trim() !== '').map((root) => realpath(resolve(root)).catch(() => null)),
  );
  return [...new Set(resolved.filter((root): root is string => root !== null))];
}

function isInside(root: string, path: string): boolean {
  const fromRoot = relative(root, path);
  return fromRoot === '' || (fromRoot !== '..' && !fromRoot.startsWith(`..${sep}`) && !isAbsolute(fromRoot));
}

const formatsByExtension: ReadonlyMap<string, DatasetFormat> = new Map([
  ['csv', 'csv'],
  ['tsv', 'csv'],
  ['txt', 'csv'],
  ['json', 'json'],
  ['jsonl', 'json'],
  ['ndjson', 'json'],
  ['parquet', 'parquet'],
  ['pq', 'parquet'],
]);

/** The format named by a URI's extension (`.csv.gz` counts as csv), or a DatasetInputError. */
export function inferFormat(uri: string): DatasetFormat {
  const path = uri.replace(/[?#].*$/, '');
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const parts = name.split('.');
  const compressed = ['gz', 'zst'].includes(parts.at(-1) ?? '');
  const extension = parts.length > (compressed ? 2 : 1) ? parts.at(compressed ? -2 : -1) : undefined;
  const format = extension === undefined ? undefined : formatsByExtension.get(extension);
  if (!format) {
    throw new DatasetInputError(
      `cannot tell the format of ${JSON.stringify(uri)} from its extension; set dataset.format to csv, json or parquet`,
    );
  }
  return format;
}
