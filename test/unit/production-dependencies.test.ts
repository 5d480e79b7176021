import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assertEmbeddedS3Installed } from '../../stack/s3-server.js';

/**
 * The embedded S3 (s3rver: last released in 2021, pulling `dicer`, whose advisory has no fix) is a
 * development dependency: production installs (`npm ci --omit=dev`, the image) leave it out and use
 * S3_ENDPOINT, and a stack asked for it there says so instead of failing on a missing module.
 */
describe('production dependencies', () => {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };

  it('leave the embedded S3 server out', () => {
    expect(manifest.dependencies).not.toHaveProperty('s3rver');
    expect(manifest.devDependencies).toHaveProperty('s3rver');
    // Its one importer is the embedded stack's child process, started only without S3_ENDPOINT.
    expect(readFileSync('stack/s3-server.mjs', 'utf8')).toMatch(/from 's3rver'/);
  });

  it('make a stack that needs the embedded S3 where it is not installed say what to set', () => {
    expect(() => assertEmbeddedS3Installed()).not.toThrow();
    const missing = () => {
      throw Object.assign(new Error("Cannot find module 's3rver'"), { code: 'MODULE_NOT_FOUND' });
    };
    expect(() => assertEmbeddedS3Installed(missing)).toThrow(
      /embedded S3 server \(s3rver, a development dependency\) is not installed here.*set S3_ENDPOINT/,
    );
  });
});
