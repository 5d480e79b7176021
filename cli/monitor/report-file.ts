import { constants } from 'node:fs';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { keySegment } from '../../storage/keys.js';

/** Where `mlops monitor report` saves a window's report unless told otherwise: `<MLOPS_HOME>/reports/`. */
export function driftReportPath(home: string, model: string, reportId: number): string {
  return path.join(home, 'reports', `${keySegment(model)}-drift-${reportId}.html`);
}

/** The command that saves a model's newest drift report (what `mlops monitor status` points to). */
export function driftReportCommand(model: string): string {
  return `mlops monitor report ${model}`;
}

export async function fileExists(file: string): Promise<boolean> {
  return access(file, constants.F_OK).then(
    () => true,
    () => false,
  );
}

/** Writes beside the destination and renames, so a reader never sees half a report. */
export async function saveReport(destination: string, html: string): Promise<void> {
  await mkdir(path.dirname(destination), { recursive: true });
  const partial = `${destination}.${process.pid}.partial`;
  try {
    await writeFile(partial, html, { mode: 0o644 });
    await rename(partial, destination);
  } finally {
    await rm(partial, { force: true });
  }
}
