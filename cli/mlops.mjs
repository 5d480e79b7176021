#!/usr/bin/env node
// The `mlops` command. Runs the compiled CLI from dist/ in production images (NODE_ENV=production
// after `npm run build`), and the TypeScript sources through tsx everywhere else, so a fresh clone
// works right after `npm install`.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (process.env.NODE_ENV === 'production' && existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('./main.ts', import.meta.url).href);
}
