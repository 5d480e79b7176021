// `npm run build`: compiles TypeScript to dist/, copies what tsc does not (migrations, the
// embedded stack's helper scripts, the failure converter) and prebuilds the workflow bundle
// production workers load.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync } from 'node:fs';

const run = (command, args) => execFileSync(command, args, { stdio: 'inherit' });
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']);
cpSync('db/migrations', 'dist/db/migrations', { recursive: true });
for (const file of readdirSync('stack').filter((name) => name.endsWith('.mjs'))) {
  cpSync(`stack/${file}`, `dist/stack/${file}`);
}
// The failure converter the SDK require()s by path (codec/data-converter.ts).
for (const file of readdirSync('codec').filter((name) => name.endsWith('.cjs'))) {
  cpSync(`codec/${file}`, `dist/codec/${file}`);
}
run(process.execPath, ['cli/mlops.mjs', 'build-workflows', '--out', 'dist/workflow-bundle.cjs']);
