import { eq } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { ModelVersion } from '../../db/queries/registry.js';
import { announceServingChange } from '../../db/queries/serving.js';
import { modelAliases, models } from '../../db/schema.js';

/**
 * A fixture: points `alias` at a version straight in the database, with the NOTIFY serving
 * listens for. The platform itself moves aliases only through the model's lifecycle workflow
 * (changeServing); tests use this to set up what serving sees without one.
 */
export async function setAlias(db: Database, version: ModelVersion, alias: string): Promise<void> {
  await db.transaction(async (transaction) => {
    await transaction
      .insert(modelAliases)
      .values({ modelId: version.modelId, alias, modelVersionId: version.id })
      .onConflictDoUpdate({
        target: [modelAliases.modelId, modelAliases.alias],
        set: { modelVersionId: version.id, updatedAt: new Date() },
      });
    const [model] = await transaction
      .select({ name: models.name })
      .from(models)
      .where(eq(models.id, version.modelId));
    await announceServingChange(transaction, model.name);
  });
}
