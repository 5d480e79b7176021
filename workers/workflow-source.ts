import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type BundleOptions, type WorkerOptions } from '@temporalio/worker';
import { failureConverterPath } from '../codec/data-converter.js';

/** workflows/index.ts under tsx (development), workflows/index.js once compiled to dist/. */
export function workflowsEntry(): string {
  const compiled = fileURLToPath(new URL('../workflows/index.js', import.meta.url));
  return existsSync(compiled) ? compiled : fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
}

/** Our ESM sources import `./x.js` for `x.ts`; webpack needs to be told so. */
export const bundlerOptions: Pick<BundleOptions, 'webpackConfigHook' | 'ignoreModules'> = {
  webpackConfigHook: (config) => {
    config.resolve = { ...config.resolve, extensionAlias: { '.js': ['.ts', '.js'] } };
    return config;
  },
};

/**
 * The Temporal SDK's OpenTelemetry workflow interceptors: a workflow span per execution, signal,
 * update and query, and a span per activity it schedules whose context travels to the activity in
 * its headers. Inside the sandbox they hand finished spans to the worker's `exporter` sink.
 */
export function tracingWorkflowModules(): string[] {
  return [
    createRequire(import.meta.url).resolve(
      '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
    ),
  ];
}

/**
 * The prebuilt bundle holds the failure converter workflows raise failures through and the
 * tracing interceptors (a bundle cannot take either later), so one image traces or not by its
 * environment alone; a worker that does not trace gives their spans to a sink that drops them.
 */
export async function buildWorkflowBundle() {
  return bundleWorkflowCode({
    workflowsPath: workflowsEntry(),
    failureConverterPath: failureConverterPath(),
    workflowInterceptorModules: tracingWorkflowModules(),
    ...bundlerOptions,
    logger: quietBundlerLogger,
  });
}

/**
 * Production loads a bundle prebuilt by `mlops build-workflows` (MLOPS_WORKFLOW_BUNDLE); development
 * bundles from source at start (a few seconds), with the tracing interceptors only when tracing
 * (workers/pool-worker.ts).
 */
export function workflowSourceOptions(
  bundlePath: string | undefined,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions'> {
  if (bundlePath) {
    if (!existsSync(bundlePath)) {
      throw new Error(
        `MLOPS_WORKFLOW_BUNDLE=${bundlePath} does not exist; build it with \`npx mlops build-workflows --out ${bundlePath}\``,
      );
    }
    return { workflowBundle: { codePath: bundlePath } };
  }
  return { workflowsPath: workflowsEntry(), bundlerOptions };
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
