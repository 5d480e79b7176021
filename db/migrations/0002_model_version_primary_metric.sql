-- The primary metric a version is judged by, recorded with it. Versions registered before this
-- column existed take their run's spec value, or the task's default (accuracy, rmse for
-- regression), as the code used to decide each time it read them.
ALTER TABLE "model_versions" ADD COLUMN "primary_metric" text;--> statement-breakpoint
UPDATE "model_versions" AS "version" SET "primary_metric" = coalesce(
  (SELECT "run"."spec" -> 'evaluation' ->> 'primaryMetric' FROM "pipeline_runs" AS "run" WHERE "run"."id" = "version"."pipeline_run_id"),
  CASE WHEN (SELECT "model"."task" FROM "models" AS "model" WHERE "model"."id" = "version"."model_id") = 'regression' THEN 'rmse' ELSE 'accuracy' END
);--> statement-breakpoint
ALTER TABLE "model_versions" ALTER COLUMN "primary_metric" SET NOT NULL;
