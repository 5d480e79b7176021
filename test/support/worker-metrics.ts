/**
 * Metric names a worker's /metrics serves after a pipeline (MLOPS_WORKER_METRICS_ADDRESS): the
 * Temporal SDK's and the platform's stage metrics. test/integration/telemetry.test.ts scrapes a
 * real worker for each; the docker-compose check allows the Grafana dashboard only these (and
 * what serving and the monitor export).
 */
export const workerMetricNames = [
  'temporal_workflow_task_schedule_to_start_latency_seconds_bucket',
  'temporal_activity_schedule_to_start_latency_seconds_bucket',
  'temporal_worker_task_slots_available',
  'temporal_num_pollers',
  'temporal_workflow_completed_total',
  'mlops_stage_duration_seconds_bucket',
  'mlops_stage_duration_seconds_count',
  'mlops_stage_failures_total',
] as const;
