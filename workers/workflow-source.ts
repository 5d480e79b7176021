import { existsSync } from 'node:fs';
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

/** The prebuilt bundle holds the failure converter workflows raise failures through (a bundle cannot take it later). */
export async function buildWorkflowBundle() {
  return bundleWorkflowCode({
    workflowsPath: workflowsEntry(),
    failureConverterPath: failureConverterPath(),
    ...bundlerOptions,
    logger: quietBundlerLogger,
  });
}

/**
 * Production loads a bundle prebuilt by `mlops build-workflows` (MLOPS_WORKFLOW_BUNDLE); development
 * bundles from source at start (a few seconds).
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
