import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { create as createTar } from 'tar';
import { COMMAND_TRAINER, type PipelineSpec } from '../spec/types.js';
import { artifactKeys, type ArtifactStore } from '../storage/artifact-store.js';

/** Folders never packaged: version control, environments, caches, the embedded stack's state. */
const SKIPPED_FOLDERS = new Set(['.git', '.hg', '.venv', 'venv', '__pycache__', 'node_modules', '.mlops']);
const MAX_CODE_BYTES = 100 * 1024 * 1024;

/** A command trainer's folder that cannot be packaged; the message says what to change. */
export class TrainerCodeError extends Error {
  override readonly name = 'TrainerCodeError';
}

/**
 * Packages a command trainer's code: the spec's folder (docs/trainers.md) as a tar.gz whose bytes
 * depend only on the files (sorted, no owners, no times), stored content-addressed, so every
 * worker runs exactly this code and an unchanged folder is the same artifact (and a cache hit).
 * Returns the spec with `train.code` set; other specs come back unchanged.
 */
export async function packageTrainerCode(
  spec: PipelineSpec,
  specFolder: string,
  store: ArtifactStore,
): Promise<PipelineSpec> {
  if (spec.train.trainer !== COMMAND_TRAINER) return spec;
  const folder = path.resolve(specFolder);
  const files = await codeFiles(folder);
  const size = (await Promise.all(files.map((file) => stat(path.join(folder, file))))).reduce(
    (sum, info) => sum + info.size,
    0,
  );
  if (size > MAX_CODE_BYTES)
    throw new TrainerCodeError(
      `the trainer's folder ${folder} holds ${Math.round(size / 1024 / 1024)} MB (at most ${MAX_CODE_BYTES / 1024 / 1024} MB are packaged): put the spec next to its trainer, in a folder of its own, and keep data out of it`,
    );
  checkReferencedFiles(spec, folder, new Set(files));
  const spool = await mkdtemp(path.join(os.tmpdir(), 'mlops-code-'));
  try {
    const archive = path.join(spool, 'code.tar.gz');
    await createTar(
      {
        gzip: { level: 6 },
        file: archive,
        cwd: folder,
        portable: true,
        mtime: new Date(0),
        noDirRecurse: true,
      },
      files,
    );
    const stored = await store.putFileContentAddressed(
      artifactKeys.trainerCode(spec.name),
      '.tar.gz',
      archive,
      {
        contentType: 'application/gzip',
      },
    );
    return {
      ...spec,
      train: { ...spec.train, code: { uri: stored.uri, sha256: stored.sha256, bytes: stored.bytes } },
    };
  } finally {
    await rm(spool, { recursive: true, force: true });
  }
}

/** Regular files below `folder`, relative and sorted; symbolic links are refused (they may point anywhere). */
async function codeFiles(folder: string, prefix = ''): Promise<string[]> {
  const entries = (await readdir(path.join(folder, prefix), { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const files: string[] = [];
  for (const entry of entries) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isSymbolicLink())
      throw new TrainerCodeError(
        `${path.join(folder, relative)} is a symbolic link: the trainer's folder is packaged as plain files; copy what it points to instead`,
      );
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) files.push(...(await codeFiles(folder, relative)));
    } else if (entry.isFile() && !entry.name.endsWith('.pyc')) files.push(relative);
  }
  return files;
}

/** A command or requirements file named relative to the folder must be in it, or no worker could run it. */
function checkReferencedFiles(spec: PipelineSpec, folder: string, files: ReadonlySet<string>): void {
  const program = spec.train.command?.[0] ?? '';
  const named = [
    ...(program.includes('/') && !path.isAbsolute(program) ? [program] : []),
    ...(spec.train.python?.requirementsFile ? [spec.train.python.requirementsFile] : []),
  ];
  for (const file of named) {
    const relative = path.posix.normalize(file.replace(/^\.\//, ''));
    if (!files.has(relative))
      throw new TrainerCodeError(
        `${file} is not a file in the spec's folder ${folder}: commands and requirements files are found there (the folder is what the workers get)`,
      );
  }
}
