/** Where the version's artifacts live, with their hashes, and how to fetch one. */

import { escapeHtml } from '../escape.js';
import { formatBytes } from '../format.js';
import { paragraph, renderSection, renderTable } from '../html.js';
import type { ArtifactLink } from '../types.js';

const RELATION_TEXT: Readonly<Record<string, string>> = {
  model_file: 'model file',
  evaluation: 'evaluation (metrics, curves, fairness, input profile)',
  trained_on: 'training dataset version',
  report: 'this report',
};

export function renderArtifactsSection(artifacts: readonly ArtifactLink[] | undefined): string {
  if (!artifacts || artifacts.length === 0)
    return renderSection('artifacts', 'Artifacts', paragraph('No artifacts were recorded for this version.'));
  const table = renderTable(
    [{ title: 'Artifact' }, { title: 'URI' }, { title: 'SHA-256' }, { title: 'Size', numeric: true }],
    artifacts.map((artifact) => [
      escapeHtml(RELATION_TEXT[artifact.relation] ?? artifact.relation),
      // An s3:// link opens nothing in a browser; the URI is there to copy.
      `<code class="wrap">${escapeHtml(artifact.uri)}</code>`,
      `<code class="wrap">${escapeHtml(artifact.sha256)}</code>`,
      formatBytes(artifact.bytes),
    ]),
  );
  return renderSection(
    'artifacts',
    'Artifacts',
    table +
      paragraph(
        'Each is immutable and checked against its SHA-256 when read. Fetch one with `aws s3 cp <uri> .` ' +
          '(on the embedded stack after `source .mlops/env`); `mlops models report <name>@<version>` saves this page, ' +
          'and `mlops lineage <name>@<version>` lists every artifact of the run.',
      ),
  );
}
