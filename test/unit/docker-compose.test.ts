import { existsSync, readFileSync } from 'node:fs';
import type { MetricMeter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { awsChainVariables, loadConfig, variableNames } from '../../config/index.js';
import { platformSearchAttributes } from '../../contracts/search-attributes.js';
import { CPU_TASK_QUEUE } from '../../contracts/task-queues.js';
import { recordMonitorGauges } from '../../activities/loop/monitor-gauges.js';
import { ServingMetrics } from '../../serving/metrics.js';
import { workerMetricNames } from '../support/worker-metrics.js';
import { TEMPORAL_SERVER_VERSION } from '../../scripts/cluster/server-build.js';

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  init?: boolean;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test: string[] | string; interval?: string; timeout?: string; retries?: number };
  restart?: string;
  deploy?: { resources?: { reservations?: { devices?: { driver: string; capabilities: string[] }[] } } };
}

// No Docker engine runs on our machines, so the compose file is checked against the code instead.
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const platformServices = Object.entries(services).filter(([, service]) => service.build !== undefined);
const commandText = (service: Service) =>
  Array.isArray(service.command) ? service.command.join(' ') : (service.command ?? '');
const dependencyEntries = (service: Service): [string, string | undefined][] =>
  Array.isArray(service.depends_on)
    ? service.depends_on.map((name) => [name, undefined])
    : Object.entries(service.depends_on ?? {}).map(([name, dependency]) => [name, dependency.condition]);
/** Setup jobs that run to their end (schema, namespace, bucket): others wait for them to complete. */
const oneShotServices = new Set(
  Object.values(services).flatMap((service) =>
    dependencyEntries(service)
      .filter(([, condition]) => condition === 'service_completed_successfully')
      .map(([name]) => name),
  ),
);

/**
 * The programs each image is known to ship, for its health check. Assumptions, as no Docker engine
 * runs here: postgres:16 is Debian with the PostgreSQL client tools; temporalio/server, temporalio/ui
 * (temporalio/base-server) and chrislusf/seaweedfs are Alpine images, so busybox's sh, nc and wget are
 * there; prom/prometheus is built on the Prometheus busybox image; grafana/grafana's default tag is
 * Alpine-based; the platform's image is node:24-bookworm-slim (node, no curl or wget: Dockerfile).
 */
const imageBinaries: Record<string, string[]> = {
  postgres: ['pg_isready'],
  'temporalio/server': ['nc', 'wget'],
  'temporalio/ui': ['wget', 'nc'],
  'chrislusf/seaweedfs': ['weed', 'wget', 'nc'],
  'prom/prometheus': ['wget', 'promtool'],
  'grafana/grafana': ['wget'],
  platform: ['node'],
};
const healthCommand = (service: Service): string[] => {
  const test = service.healthcheck?.test ?? [];
  if (typeof test === 'string') return test.split(/\s+/);
  if (test[0] === 'CMD-SHELL') return test.slice(1).join(' ').split(/\s+/);
  return test[0] === 'CMD' ? test.slice(1) : test;
};

describe('docker-compose.yml', () => {
  it('has the production-shaped stack: Temporal with its own database, UI, PostgreSQL, SeaweedFS and both pools', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([
        'temporal',
        'temporal-postgresql',
        'temporal-schema',
        'temporal-ui',
        'postgres',
        'seaweedfs',
        'seaweedfs-setup',
        'worker-cpu',
        'worker-gpu',
        'serving',
      ]),
    );
    expect(platformServices.map(([name]) => name).sort()).toEqual(['serving', 'worker-cpu', 'worker-gpu']);
    expect(existsSync('Dockerfile')).toBe(true);
  });

  it('uses only maintained images: no MinIO (its community images were deleted from Docker Hub)', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.image ?? '', name).not.toMatch(/minio/i);
      // Pinned, so the version test:compat checks is the version that runs.
      if (service.image) expect(service.image, name).toMatch(/:v?[0-9][\w.-]*$/);
    }
    const compatServer = readFileSync('scripts/compat/seaweedfs.ts', 'utf8');
    const version = /SEAWEEDFS_VERSION = '([^']+)'/.exec(compatServer)?.[1];
    expect(services.seaweedfs.image).toBe(`chrislusf/seaweedfs:${version}`);
    expect(services['seaweedfs-setup'].image).toBe(services.seaweedfs.image);
  });

  it('runs the Temporal server version that npm run test:cluster builds and proves, with its own schema tool', () => {
    expect(services.temporal.image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
    expect(services['temporal-schema'].image).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
    expect(services['temporal-setup'].image).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
  });

  it('runs node itself (not npm, which does not pass SIGTERM on) on a file of the repository, under an init', () => {
    for (const [name, service] of platformServices) {
      const command = Array.isArray(service.command) ? service.command : [];
      expect(command[0], name).toBe('node');
      expect(existsSync(command[1]), `${name}: ${command[1]}`).toBe(true);
      expect(service.init, `${name}: init`).toBe(true);
    }
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    expect(dockerfile).toMatch(/^FROM node:24-/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
    expect(dockerfile).toMatch(/^CMD \["node", /m);
  });

  it('gives the platform services only variables the configuration module reads', () => {
    const known = new Set<string>([...variableNames, ...awsChainVariables, 'NODE_ENV']);
    for (const [name, service] of platformServices) {
      for (const variable of Object.keys(service.environment ?? {}))
        expect(known.has(variable), `${name}: ${variable}`).toBe(true);
    }
  });

  it('points the workers at the ports, bucket and credentials the other services use', () => {
    const environment = services['worker-cpu'].environment ?? {};
    const [temporalHost, temporalPort] = environment.TEMPORAL_ADDRESS.split(':');
    expect(services[temporalHost]).toBeDefined();
    expect(services.temporal.ports).toContain(`${temporalPort}:7233`);
    expect(temporalPort).toBe('7233');

    const database = new URL(environment.DATABASE_URL);
    expect(services[database.hostname]).toBeDefined();
    expect(database.port).toBe('5432');
    expect(services.postgres.environment).toMatchObject({
      POSTGRES_USER: database.username,
      POSTGRES_PASSWORD: database.password,
      POSTGRES_DB: database.pathname.slice(1),
    });

    const s3 = new URL(environment.S3_ENDPOINT);
    expect(s3.hostname).toBe('seaweedfs');
    expect(services.seaweedfs.ports).toContain(`${s3.port}:${s3.port}`);
    expect(commandText(services.seaweedfs)).toMatch(/^server .*-s3 .*-s3\.port=(\d+)/);
    expect(commandText(services.seaweedfs)).toContain(`-s3.port=${s3.port}`);
    // The S3 gateway's admin identity is the key pair the platform signs with.
    expect(services.seaweedfs.environment).toEqual({
      AWS_ACCESS_KEY_ID: environment.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: environment.AWS_SECRET_ACCESS_KEY,
    });
    const bucketSetup = commandText(services['seaweedfs-setup']);
    expect(bucketSetup).toContain(`s3.bucket.create -name ${environment.S3_BUCKET}`);
    expect(bucketSetup).toContain(`-master=${s3.hostname}:9333`);
    expect(services['temporal-ui'].environment?.TEMPORAL_ADDRESS).toBe(environment.TEMPORAL_ADDRESS);
  });

  it('serves predictions on the port the configuration says, published on the host', () => {
    const serving = services.serving;
    expect(serving.environment?.MLOPS_SERVING_PORT).toBe(
      loadConfig({ MLOPS_SERVING_PORT: serving.environment?.MLOPS_SERVING_PORT }).serving.port?.toString(),
    );
    expect(serving.ports).toContain(`8081:${serving.environment?.MLOPS_SERVING_PORT}`);
    expect(serving.environment?.MLOPS_SERVING_HOST).toBe('0.0.0.0');
  });

  it('registers every search attribute the workflows set', () => {
    const setup = commandText(services['temporal-setup']);
    for (const key of platformSearchAttributes) expect(setup).toContain(key.name);
  });

  it('uses the default task queues and reserves NVIDIA devices for the GPU pool only', () => {
    expect(services['worker-cpu'].environment?.MLOPS_CPU_TASK_QUEUE ?? CPU_TASK_QUEUE).toBe('mlops-cpu');
    expect(services['worker-gpu'].deploy?.resources?.reservations?.devices?.[0]).toMatchObject({
      driver: 'nvidia',
      capabilities: ['gpu'],
    });
    expect(services['worker-cpu'].deploy).toBeUndefined();
    expect(services['worker-gpu'].environment?.MLOPS_WORKFLOW_BUNDLE).toBe('dist/workflow-bundle.cjs');
    expect(readFileSync('scripts/build.mjs', 'utf8')).toContain("'dist/workflow-bundle.cjs'");
  });

  it('only depends on services that exist', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency] of dependencyEntries(service))
        expect(services[dependency], `${name} -> ${dependency}`).toBeDefined();
    }
  });

  describe('health checks and start order', () => {
    const longRunning = Object.entries(services).filter(([name]) => !oneShotServices.has(name));

    it('has a health check on every long-running service, and none on the one-shot setup jobs', () => {
      expect([...oneShotServices].sort()).toEqual(['seaweedfs-setup', 'temporal-schema', 'temporal-setup']);
      expect(longRunning.map(([name]) => name)).toEqual(
        expect.arrayContaining(['temporal', 'temporal-postgresql', 'postgres', 'seaweedfs', 'temporal-ui']),
      );
      for (const [name, service] of longRunning) {
        expect(healthCommand(service).length, `${name}: healthcheck`).toBeGreaterThan(0);
        expect(service.healthcheck?.retries, `${name}: retries`).toBeGreaterThan(0);
      }
      for (const name of oneShotServices) {
        expect(services[name].healthcheck, name).toBeUndefined();
        expect(services[name].restart, name).toBeUndefined();
      }
    });

    it('waits for what a service needs to be healthy (or, for a setup job, done), never merely started', () => {
      for (const [name, service] of Object.entries(services)) {
        for (const [dependency, condition] of dependencyEntries(service)) {
          const expected = oneShotServices.has(dependency)
            ? 'service_completed_successfully'
            : 'service_healthy';
          expect(condition, `${name} -> ${dependency}`).toBe(expected);
        }
      }
      for (const [name] of platformServices)
        expect(
          dependencyEntries(services[name])
            .map(([dependency]) => dependency)
            .sort(),
          name,
        ).toEqual(['postgres', 'seaweedfs-setup', 'temporal-setup']);
    });

    it('only runs programs the images ship (the assumptions are listed above imageBinaries)', () => {
      for (const [name, service] of longRunning) {
        const repository = service.build !== undefined ? 'platform' : (service.image ?? '').split(':')[0];
        const [program] = healthCommand(service);
        expect(imageBinaries[repository], `${name}: ${repository} is not in imageBinaries`).toBeDefined();
        expect(imageBinaries[repository], `${name}: ${program} in ${repository}`).toContain(program);
      }
      expect(readFileSync('Dockerfile', 'utf8')).toMatch(/^FROM node:24-bookworm-slim$/m);
    });

    it('probes the ports and paths the services answer on', () => {
      const probedUrl = (service: Service) => {
        const command = healthCommand(service).join(' ');
        return new URL(/http:\/\/[^'" ]+/.exec(command)?.[0] ?? 'http://missing');
      };
      const serving = probedUrl(services.serving);
      expect(serving.port).toBe(services.serving.environment?.MLOPS_SERVING_PORT);
      expect(serving.pathname).toBe('/healthz');
      expect(readFileSync('serving/router.ts', 'utf8')).toContain("case '/healthz':");
      for (const name of ['worker-cpu', 'worker-gpu']) {
        const probed = probedUrl(services[name]);
        const address = services[name].environment?.MLOPS_WORKER_METRICS_ADDRESS ?? '';
        expect(`${probed.port}`, name).toBe(address.split(':')[1]);
        expect(probed.pathname, name).toBe('/metrics');
      }
      const s3 = new URL(services['worker-cpu'].environment?.S3_ENDPOINT ?? '');
      expect(probedUrl(services.seaweedfs).port).toBe(s3.port);
      expect(probedUrl(services['temporal-ui']).port).toBe(services['temporal-ui'].ports?.[0].split(':')[1]);
      expect(healthCommand(services.temporal)).toEqual(['nc', '-z', 'localhost', '7233']);
      expect(probedUrl(services.prometheus).pathname).toBe('/-/healthy');
      expect(probedUrl(services.grafana).pathname).toBe('/api/health');
    });
  });

  describe('metrics', () => {
    const prometheusConfig = parse(readFileSync('observability/prometheus.yml', 'utf8')) as {
      scrape_configs: {
        job_name: string;
        static_configs?: { targets: string[] }[];
        dns_sd_configs?: { names: string[]; port: number }[];
      }[];
    };
    const mounted = (service: Service, target: string) =>
      service.volumes?.find((volume) => volume.split(':')[1] === target)?.split(':')[0];

    it('runs Prometheus with the config in observability/ and Grafana with its provisioning and dashboard', () => {
      expect(mounted(services.prometheus, '/etc/prometheus/prometheus.yml')).toBe(
        './observability/prometheus.yml',
      );
      expect(services.prometheus.ports).toContain('9090:9090');
      const provisioning = mounted(services.grafana, '/etc/grafana/provisioning');
      const dashboards = mounted(services.grafana, '/var/lib/grafana/dashboards');
      expect(existsSync(`${provisioning}/datasources/prometheus.yml`)).toBe(true);
      const provider = parse(readFileSync(`${provisioning}/dashboards/mlops.yml`, 'utf8')) as {
        providers: { options: { path: string } }[];
      };
      expect(provider.providers[0].options.path).toBe('/var/lib/grafana/dashboards');
      expect(existsSync(`${dashboards}/mlops.json`)).toBe(true);
      const datasource = parse(readFileSync(`${provisioning}/datasources/prometheus.yml`, 'utf8')) as {
        datasources: { url: string }[];
      };
      expect(datasource.datasources[0].url).toBe(
        `http://prometheus:${services.prometheus.ports?.[0].split(':')[1]}`,
      );
      expect(services.grafana.ports).toContain('3000:3000');
      expect(services.grafana.environment?.GF_AUTH_ANONYMOUS_ENABLED).toBe('true');
    });

    it('scrapes serving and every worker on the ports they serve metrics on', () => {
      const jobs = Object.fromEntries(prometheusConfig.scrape_configs.map((job) => [job.job_name, job]));
      const [servingTarget] = jobs['mlops-serving'].static_configs?.[0].targets ?? [];
      const [servingHost, servingPort] = servingTarget.split(':');
      expect(services[servingHost]).toBeDefined();
      expect(servingPort).toBe(services.serving.environment?.MLOPS_SERVING_PORT);
      const workers = jobs['mlops-workers'].dns_sd_configs?.[0];
      expect(workers?.names.sort()).toEqual(['worker-cpu', 'worker-gpu']);
      for (const name of workers?.names ?? []) {
        const address = services[name].environment?.MLOPS_WORKER_METRICS_ADDRESS ?? '';
        expect(loadConfig({ MLOPS_WORKER_METRICS_ADDRESS: address }).telemetry.workerMetricsAddress).toBe(
          address,
        );
        expect(address, name).toBe(`0.0.0.0:${workers?.port}`);
      }
    });

    it('has a dashboard that parses and charts only metrics the platform exports', async () => {
      const dashboard = JSON.parse(readFileSync('observability/grafana/dashboards/mlops.json', 'utf8')) as {
        panels: { title: string; targets: { expr: string }[] }[];
      };
      const serving = new ServingMetrics();
      serving.collectProcessMetrics();
      const exported = new Set(
        (await serving.renderAll())
          .split('\n')
          .filter((line) => line && !line.startsWith('#'))
          .map((line) => line.split(/[{ ]/)[0]),
      );
      // Histograms and counters of serving that have no series until the first request.
      for (const name of [
        'mlops_serving_requests_total',
        'mlops_serving_errors_total',
        'mlops_serving_predictions_total',
      ])
        exported.add(name);
      exported.add('mlops_serving_request_duration_seconds_bucket');
      for (const name of workerMetricNames) exported.add(name);
      const gauges = { createGauge: (name: string) => ({ set: () => exported.add(name) }) };
      recordMonitorGauges(
        gauges as unknown as MetricMeter,
        'model',
        {
          modelVersion: 1,
          rows: 1,
          drifted: false,
          driftedFeatures: [],
          maxPsi: 0,
          labeled: 1,
          liveMetric: { name: 'accuracy', value: 1, testValue: 1, lowerIsBetter: false },
          reportId: 1,
          note: null,
        },
        { champion: 1, challenger: null, share: 0 },
      );
      const charted = dashboard.panels.flatMap((panel) =>
        panel.targets.flatMap(
          (target) => target.expr.match(/\b(?:mlops|temporal|process|nodejs)_[a-z_]+\b/g) ?? [],
        ),
      );
      expect(charted.length).toBeGreaterThan(10);
      expect(charted.filter((name) => !exported.has(name))).toEqual([]);
      for (const prefix of [
        'mlops_serving_',
        'temporal_',
        'mlops_stage_',
        'mlops_monitor_',
        'process_',
        'nodejs_',
      ])
        expect(
          charted.some((name) => name.startsWith(prefix)),
          prefix,
        ).toBe(true);
    });
  });
});
