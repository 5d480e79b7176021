import type { Logger } from '../config/logger.js';
import type { Database } from '../db/client.js';
import { readServingPlan, type ServedVersionRef, type ServingPlanEntry } from '../db/queries/serving.js';
import type { ArtifactStore } from '../storage/artifact-store.js';
import type { ServingMetrics } from './metrics.js';
import type { RoutingTable, ServedModel } from './routing-table.js';
import { loadServedVersion, type ServedVersion } from './served-version.js';

/**
 * The models this server serves, kept in line with the registry. `refresh` reads the serving plan,
 * loads any version not in memory yet (fully: fetched, checked, compiled) and only then swaps the
 * routing table in one assignment. A request reads the table once, when it starts, so it finishes
 * on the version it started with while the next request already sees the new one: no request
 * fails or is dropped during a swap. A version that fails to load leaves the model on what it
 * served before (reported as `loadError`).
 */
export class ServedModels {
  private table: RoutingTable = new Map();
  private readonly versions = new Map<number, ServedVersion>();
  /** The last load error per version, so a version that keeps failing is reported once, not every refresh. */
  private readonly failures = new Map<number, string>();
  private refreshing: Promise<void> | undefined;
  private again = false;
  private refreshedOnce = false;

  constructor(
    private readonly deps: {
      readonly db: Database;
      readonly store: ArtifactStore;
      readonly metrics: ServingMetrics;
      readonly log: Logger;
      /** Serve only these models; undefined: every model with a champion. */
      readonly only: readonly string[] | undefined;
      /** For versions that hash personal-data inputs (MLOPS_PII_HMAC_KEY). */
      readonly piiHmacKey?: string;
    },
  ) {}

  get current(): RoutingTable {
    return this.table;
  }

  /** Whether a refresh has completed and every served model has its champion in memory. */
  get ready(): { ready: boolean; problems: string[] } {
    const problems: string[] = [];
    if (!this.refreshedOnce) problems.push('the models have not been read from the registry yet');
    for (const model of this.table.values())
      if (!model.champion) problems.push(`${model.name}: not loaded (${model.loadError ?? 'loading'})`);
    return { ready: problems.length === 0, problems };
  }

  /**
   * Brings the table in line with the registry. Calls while one runs are folded into one more
   * run after it, so a burst of notifications costs at most two reads.
   */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        await this.refreshOnce();
      } while (this.again);
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refreshOnce(): Promise<void> {
    const plan = await readServingPlan(this.deps.db, this.deps.only);
    const next = new Map<string, ServedModel>();
    await Promise.all(
      plan.map(async (entry) => {
        next.set(entry.modelName, await this.resolve(entry));
      }),
    );
    const previous = this.table;
    this.table = next;
    this.refreshedOnce = true;
    this.forgetUnused();
    this.reportChanges(previous, next);
  }

  private async resolve(entry: ServingPlanEntry): Promise<ServedModel> {
    const before = this.table.get(entry.modelName);
    const champion = await this.load(entry.modelName, entry.champion);
    const challenger = entry.challenger ? await this.load(entry.modelName, entry.challenger) : undefined;
    const errors = [champion, challenger]
      .filter((result) => result instanceof Error)
      .map((error) => error.message);
    const championVersion = champion instanceof Error ? (before?.champion ?? null) : champion;
    const challengerVersion = challenger instanceof Error || challenger === undefined ? null : challenger;
    return {
      name: entry.modelName,
      deploymentId: entry.deploymentId,
      champion: championVersion,
      challenger: challengerVersion,
      challengerShare: challengerVersion ? entry.challengerShare : 0,
      loadError: errors.length > 0 ? errors.join('; ') : null,
    };
  }

  /** The version in memory, loading it first if needed; an Error (not thrown) when it cannot load. */
  private async load(modelName: string, ref: ServedVersionRef): Promise<ServedVersion | Error> {
    const loaded = this.versions.get(ref.modelVersionId);
    if (loaded) return loaded;
    try {
      const version = await loadServedVersion(this.deps.store, modelName, ref, {
        piiHmacKey: this.deps.piiHmacKey,
      });
      this.versions.set(ref.modelVersionId, version);
      this.failures.delete(ref.modelVersionId);
      return version;
    } catch (error) {
      const message = (error as Error).message;
      if (this.failures.get(ref.modelVersionId) === message) return error as Error;
      this.failures.set(ref.modelVersionId, message);
      this.deps.log.error(
        { model: modelName, version: ref.version, error: message },
        'serving: a model version could not be loaded; the model keeps serving what it served before',
      );
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /** Versions no model serves any more are let go (requests still using one keep their reference). */
  private forgetUnused(): void {
    const inUse = new Set<number>();
    for (const model of this.table.values()) {
      if (model.champion) inUse.add(model.champion.modelVersionId);
      if (model.challenger) inUse.add(model.challenger.modelVersionId);
    }
    for (const [id, version] of this.versions) {
      if (inUse.has(id)) continue;
      this.versions.delete(id);
      // Requests still using it finish first (an ONNX session waits for its runs).
      void version
        .release()
        .catch((error: unknown) =>
          this.deps.log.warn(
            { version: version.version, error: (error as Error).message },
            'serving: release failed',
          ),
        );
    }
  }

  private reportChanges(previous: RoutingTable, next: RoutingTable): void {
    const describe = (model: ServedModel | undefined) =>
      model
        ? `champion ${model.champion ? `v${model.champion.version}` : '(not loaded)'}${model.challenger ? `, challenger v${model.challenger.version} at ${Math.round(model.challengerShare * 1000) / 10}%` : ''}`
        : 'not served';
    for (const name of new Set([...previous.keys(), ...next.keys()])) {
      const before = describe(previous.get(name));
      const after = describe(next.get(name));
      if (before !== after) this.deps.log.info({ model: name, before, after }, `serving ${name}: ${after}`);
    }
    this.deps.metrics.modelsLoaded.reset();
    for (const model of next.values()) {
      if (model.champion)
        this.deps.metrics.modelsLoaded.set([model.name, String(model.champion.version), 'champion'], 1);
      if (model.challenger)
        this.deps.metrics.modelsLoaded.set([model.name, String(model.challenger.version), 'challenger'], 1);
    }
  }
}
