import { and, eq, or } from 'drizzle-orm';
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

/** Edges that touch a node, in either direction. */
export async function lineageEdgesOf(db: Database, node: LineageNode) {
  return db
    .select()
    .from(lineageEdges)
    .where(
      or(
        and(eq(lineageEdges.fromKind, node.kind), eq(lineageEdges.fromId, node.id)),
        and(eq(lineageEdges.toKind, node.kind), eq(lineageEdges.toId, node.id)),
      ),
    );
}
