import { and, eq } from 'drizzle-orm';
import type { Database, Transaction } from '../client.js';
import { recordAuditEvent } from './audit.js';
import { announceServingChange } from './serving.js';
import { deployments, modelAliases, models, modelVersions, type TrafficSplit } from '../schema.js';

export interface ServingChange {
  readonly modelName: string;
  readonly championVersion: number;
  readonly challengerVersion: number | null;
  readonly challengerShare: number;
  readonly audit: { eventKey: string; action: string; actor: string; reason: string };
}

export interface ServedVersions {
  readonly champion: number | null;
  readonly challenger: number | null;
  readonly share: number;
}

/**
 * Changes what a model serves in one transaction: the champion alias, the deployment's traffic
 * split (canary), an audit event (before and after; written once per eventKey, so a retried
 * activity changes nothing more) and a NOTIFY that serving picks up within a moment.
 */
export async function changeServing(db: Database, change: ServingChange): Promise<ServedVersions> {
  return db.transaction(async (transaction) => {
    const [model] = await transaction
      .select()
      .from(models)
      .where(eq(models.name, change.modelName))
      .for('update');
    if (!model) throw new Error(`model ${change.modelName} does not exist`);
    const versionId = async (version: number) => {
      const [row] = await transaction
        .select({ id: modelVersions.id })
        .from(modelVersions)
        .where(and(eq(modelVersions.modelId, model.id), eq(modelVersions.version, version)));
      if (!row) throw new Error(`${change.modelName} has no version ${version}`);
      return row.id;
    };
    const before = await servedVersions(transaction, change.modelName);
    const championId = await versionId(change.championVersion);
    const challengerId = change.challengerVersion === null ? null : await versionId(change.challengerVersion);
    await transaction
      .insert(modelAliases)
      .values({ modelId: model.id, alias: 'champion', modelVersionId: championId })
      .onConflictDoUpdate({
        target: [modelAliases.modelId, modelAliases.alias],
        set: { modelVersionId: championId, updatedAt: new Date() },
      });
    const split: TrafficSplit =
      challengerId === null
        ? { championVersionId: championId }
        : {
            championVersionId: championId,
            challengerVersionId: challengerId,
            challengerShare: change.challengerShare,
          };
    await transaction
      .insert(deployments)
      .values({ name: change.modelName, modelId: model.id, trafficSplit: split })
      .onConflictDoUpdate({ target: deployments.name, set: { trafficSplit: split, updatedAt: new Date() } });
    const after = {
      champion: change.championVersion,
      challenger: change.challengerVersion,
      share: challengerId === null ? 0 : change.challengerShare,
    };
    await recordAuditEvent(transaction, {
      eventKey: change.audit.eventKey,
      subjectKind: 'model',
      subject: change.modelName,
      action: change.audit.action,
      actor: change.audit.actor,
      reason: change.audit.reason,
      before,
      after,
    });
    await announceServingChange(transaction, change.modelName);
    return after;
  });
}

/** What a model serves now: its champion version and, during a canary, the challenger and its share. */
export async function servedVersions(db: Database | Transaction, modelName: string): Promise<ServedVersions> {
  const [champion] = await db
    .select({ version: modelVersions.version })
    .from(modelAliases)
    .innerJoin(models, eq(modelAliases.modelId, models.id))
    .innerJoin(modelVersions, eq(modelAliases.modelVersionId, modelVersions.id))
    .where(and(eq(models.name, modelName), eq(modelAliases.alias, 'champion')));
  const [deployment] = await db
    .select({ split: deployments.trafficSplit })
    .from(deployments)
    .where(eq(deployments.name, modelName));
  let challenger: number | null = null;
  if (deployment?.split.challengerVersionId) {
    const [row] = await db
      .select({ version: modelVersions.version })
      .from(modelVersions)
      .where(eq(modelVersions.id, deployment.split.challengerVersionId));
    challenger = row?.version ?? null;
  }
  return {
    champion: champion?.version ?? null,
    challenger,
    share: challenger === null ? 0 : (deployment?.split.challengerShare ?? 0),
  };
}
