CREATE TYPE "public"."lineage_node_kind" AS ENUM('dataset_version', 'artifact', 'stage_run', 'model_version', 'deployment', 'pipeline_run');--> statement-breakpoint
CREATE TYPE "public"."model_version_status" AS ENUM('registered', 'rejected', 'archived');--> statement-breakpoint
CREATE TYPE "public"."run_status" AS ENUM('running', 'succeeded', 'rejected', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."stage_status" AS ENUM('running', 'succeeded', 'failed');--> statement-breakpoint
CREATE TABLE "artifacts" (
	"id" serial PRIMARY KEY NOT NULL,
	"uri" text NOT NULL,
	"sha256" text NOT NULL,
	"bytes" bigint NOT NULL,
	"kind" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "artifacts_uri_unique" UNIQUE("uri")
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" serial PRIMARY KEY NOT NULL,
	"event_key" text NOT NULL,
	"subject_kind" text NOT NULL,
	"subject" text NOT NULL,
	"action" text NOT NULL,
	"actor" text NOT NULL,
	"reason" text,
	"before" jsonb,
	"after" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "audit_events_event_key_unique" UNIQUE("event_key")
);
--> statement-breakpoint
CREATE TABLE "dataset_versions" (
	"id" serial PRIMARY KEY NOT NULL,
	"dataset_id" integer NOT NULL,
	"sha256" text NOT NULL,
	"uri" text NOT NULL,
	"rows" bigint NOT NULL,
	"bytes" bigint NOT NULL,
	"schema" jsonb NOT NULL,
	"profile" jsonb,
	"source" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dataset_versions_content" UNIQUE("dataset_id","sha256"),
	CONSTRAINT "dataset_versions_rows_nonnegative" CHECK ("dataset_versions"."rows" >= 0)
);
--> statement-breakpoint
CREATE TABLE "datasets" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "datasets_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "deployments" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"model_id" integer NOT NULL,
	"traffic_split" jsonb NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "deployments_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "drift_reports" (
	"id" serial PRIMARY KEY NOT NULL,
	"model_version_id" integer NOT NULL,
	"deployment_id" integer,
	"window_start" timestamp with time zone NOT NULL,
	"window_end" timestamp with time zone NOT NULL,
	"rows" bigint NOT NULL,
	"drifted" boolean NOT NULL,
	"report" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "drift_reports_window" UNIQUE("model_version_id","window_start","window_end"),
	CONSTRAINT "drift_reports_window_order" CHECK ("drift_reports"."window_start" <= "drift_reports"."window_end")
);
--> statement-breakpoint
CREATE TABLE "label_feedback" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"prediction_id" uuid NOT NULL,
	"label" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "label_feedback_prediction_id_unique" UNIQUE("prediction_id")
);
--> statement-breakpoint
CREATE TABLE "lineage_edges" (
	"id" serial PRIMARY KEY NOT NULL,
	"from_kind" "lineage_node_kind" NOT NULL,
	"from_id" integer NOT NULL,
	"to_kind" "lineage_node_kind" NOT NULL,
	"to_id" integer NOT NULL,
	"relation" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lineage_edges_edge" UNIQUE("from_kind","from_id","to_kind","to_id","relation")
);
--> statement-breakpoint
CREATE TABLE "model_aliases" (
	"model_id" integer NOT NULL,
	"alias" text NOT NULL,
	"model_version_id" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_aliases_pk" PRIMARY KEY("model_id","alias")
);
--> statement-breakpoint
CREATE TABLE "model_versions" (
	"id" serial PRIMARY KEY NOT NULL,
	"model_id" integer NOT NULL,
	"version" integer NOT NULL,
	"registration_key" text NOT NULL,
	"status" "model_version_status" NOT NULL,
	"pipeline_run_id" integer,
	"dataset_version_id" integer,
	"model_artifact_id" integer,
	"report_artifact_id" integer,
	"metrics" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"fairness" jsonb,
	"gates" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"rejection_reasons" jsonb,
	"code_version" text NOT NULL,
	"runtime" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_versions_version" UNIQUE("model_id","version"),
	CONSTRAINT "model_versions_registration" UNIQUE("model_id","registration_key"),
	CONSTRAINT "model_versions_version_positive" CHECK ("model_versions"."version" >= 1)
);
--> statement-breakpoint
CREATE TABLE "models" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"task" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "models_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "pipeline_runs" (
	"id" serial PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"run_id" text NOT NULL,
	"pipeline_name" text NOT NULL,
	"kind" text DEFAULT 'training' NOT NULL,
	"spec" jsonb NOT NULL,
	"code_version" text NOT NULL,
	"status" "run_status" DEFAULT 'running' NOT NULL,
	"error" jsonb,
	"trigger" text DEFAULT 'cli' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "pipeline_runs_execution" UNIQUE("workflow_id","run_id")
);
--> statement-breakpoint
CREATE TABLE "prediction_logs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"prediction_id" uuid NOT NULL,
	"deployment_id" integer,
	"model_version_id" integer NOT NULL,
	"inputs" jsonb NOT NULL,
	"output" jsonb NOT NULL,
	"probabilities" jsonb,
	"latency_ms" double precision NOT NULL,
	"request_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "prediction_logs_prediction_id_unique" UNIQUE("prediction_id")
);
--> statement-breakpoint
CREATE TABLE "stage_runs" (
	"id" serial PRIMARY KEY NOT NULL,
	"pipeline_run_id" integer NOT NULL,
	"stage" text NOT NULL,
	"status" "stage_status" NOT NULL,
	"attempt" integer NOT NULL,
	"worker_identity" text NOT NULL,
	"inputs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"outputs" jsonb,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"cache_key" text,
	"cache_hit" boolean DEFAULT false NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"duration_ms" double precision,
	"cpu_ms" double precision,
	"peak_rss_bytes" bigint,
	"energy_joules" double precision,
	"gpu_device" integer,
	"error" jsonb,
	CONSTRAINT "stage_runs_stage" UNIQUE("pipeline_run_id","stage"),
	CONSTRAINT "stage_runs_attempt_positive" CHECK ("stage_runs"."attempt" >= 1)
);
--> statement-breakpoint
ALTER TABLE "dataset_versions" ADD CONSTRAINT "dataset_versions_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_model_id_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."models"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drift_reports" ADD CONSTRAINT "drift_reports_model_version_id_model_versions_id_fk" FOREIGN KEY ("model_version_id") REFERENCES "public"."model_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drift_reports" ADD CONSTRAINT "drift_reports_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "label_feedback" ADD CONSTRAINT "label_feedback_prediction_id_prediction_logs_prediction_id_fk" FOREIGN KEY ("prediction_id") REFERENCES "public"."prediction_logs"("prediction_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_aliases" ADD CONSTRAINT "model_aliases_model_id_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."models"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_aliases" ADD CONSTRAINT "model_aliases_model_version_id_model_versions_id_fk" FOREIGN KEY ("model_version_id") REFERENCES "public"."model_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_model_id_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."models"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_pipeline_run_id_pipeline_runs_id_fk" FOREIGN KEY ("pipeline_run_id") REFERENCES "public"."pipeline_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_dataset_version_id_dataset_versions_id_fk" FOREIGN KEY ("dataset_version_id") REFERENCES "public"."dataset_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_model_artifact_id_artifacts_id_fk" FOREIGN KEY ("model_artifact_id") REFERENCES "public"."artifacts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_report_artifact_id_artifacts_id_fk" FOREIGN KEY ("report_artifact_id") REFERENCES "public"."artifacts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prediction_logs" ADD CONSTRAINT "prediction_logs_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prediction_logs" ADD CONSTRAINT "prediction_logs_model_version_id_model_versions_id_fk" FOREIGN KEY ("model_version_id") REFERENCES "public"."model_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_runs" ADD CONSTRAINT "stage_runs_pipeline_run_id_pipeline_runs_id_fk" FOREIGN KEY ("pipeline_run_id") REFERENCES "public"."pipeline_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "artifacts_by_sha256" ON "artifacts" USING btree ("sha256");--> statement-breakpoint
CREATE INDEX "audit_events_by_subject" ON "audit_events" USING btree ("subject_kind","subject","created_at");--> statement-breakpoint
CREATE INDEX "lineage_edges_by_target" ON "lineage_edges" USING btree ("to_kind","to_id");--> statement-breakpoint
CREATE INDEX "lineage_edges_by_source" ON "lineage_edges" USING btree ("from_kind","from_id");--> statement-breakpoint
CREATE INDEX "pipeline_runs_by_pipeline" ON "pipeline_runs" USING btree ("pipeline_name","started_at");--> statement-breakpoint
CREATE INDEX "prediction_logs_by_deployment_time" ON "prediction_logs" USING btree ("deployment_id","created_at");--> statement-breakpoint
CREATE INDEX "prediction_logs_by_version_time" ON "prediction_logs" USING btree ("model_version_id","created_at");--> statement-breakpoint
CREATE INDEX "stage_runs_by_cache_key" ON "stage_runs" USING btree ("cache_key") WHERE "stage_runs"."status" = 'succeeded';