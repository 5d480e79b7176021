import { and, eq } from 'drizzle-orm';
import type { ArtifactRef } from '../../contracts/artifacts.js';
import type { Database } from '../client.js';
import { artifacts, lineageEdges, type lineageNodeKind } from '../schema.js';

export type Artifact = typeof artifacts.$inferSelect;
export type LineageNodeKind = (typeof lineageNodeKind.enumValues)[number];

export interface LineageNode {
  readonly kind: LineageNodeKind;
  readonly id: number;
}

/** Registers an artifact by URI; the same URI (content-addressed) is one row however often it is written. */
export async function upsertArtifact(
  db: Database,
  artifact: ArtifactRef & { kind: string },
): Promise<Artifact> {
  const [row] = await db
    .insert(artifacts)
    .values({ uri: artifact.uri, sha256: artifact.sha256, bytes: artifact.bytes, kind: artifact.kind })
    .onConflictDoUpdate({ target: artifacts.uri, set: { sha256: artifact.sha256, bytes: artifact.bytes } })
    .returning();
  return row;
}

export async function addLineageEdge(
  db: Database,
  from: LineageNode,
  to: LineageNode,
  relation: string,
): Promise<void> {
  await db
    .insert(lineageEdges)
    .values({ fromKind: from.kind, fromId: from.id, toKind: to.kind, toId: to.id, relation })
    .onConflictDoNothing();
}

/** An artifact row by id, as the reference stage outputs carry. */
export async function findArtifact(db: Database, id: number): Promise<ArtifactRef | undefined> {
  const [row] = await db
    .select({ uri: artifacts.uri, sha256: artifacts.sha256, bytes: artifacts.bytes })
    .from(artifacts)
    .where(eq(artifacts.id, id));
  return row;
}

/** The artifact linked to a model version by `relation` (its `evaluation`, its `model_file`), if any. */
export async function findModelVersionArtifact(
  db: Database,
  modelVersionId: number,
  relation: string,
): Promise<ArtifactRef | undefined> {
  const [file] = await db
    .select({ uri: artifacts.uri, sha256: artifacts.sha256, bytes: artifacts.bytes })
    .from(lineageEdges)
    .innerJoin(artifacts, eq(lineageEdges.fromId, artifacts.id))
    .where(
      and(
        eq(lineageEdges.toKind, 'model_version'),
        eq(lineageEdges.toId, modelVersionId),
        eq(lineageEdges.relation, relation),
      ),
    );
  return file;
}
