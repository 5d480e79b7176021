#!/usr/bin/env node
// The `mlops` command. Runs the compiled CLI from dist/ in production images (NODE_ENV=production
// after `npm run build`), and the TypeScript sources through tsx everywhere else, so a fresh clone
// works right after `npm install`.
import { existsSync } from 'node:fs';

// The platform supports Node.js 20; the AWS SDK's notice about its future Node 22 requirement
// would otherwise open every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const compiled = new URL('../dist/scripts/cli.js', import.meta.url);
if (process.env.NODE_ENV === 'production' && existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('./cli.ts', import.meta.url).href);
}
