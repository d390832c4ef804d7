/**
 * The bundles are built without legal comments; dist/THIRD-PARTY-LICENSES.txt carries the notices of
 * every npm package inside them. Checked against what the build really bundled.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

function notices(pkg: string): string {
  return readFileSync(join(ROOT, pkg, 'dist/THIRD-PARTY-LICENSES.txt'), 'utf8');
}

function version(name: string): string {
  return (
    JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }
  ).version;
}

describe('licences of bundled packages', () => {
  it('the CLI bundles name js-yaml, yaml and ajv with their licence texts', () => {
    const text = notices('packages/validator');
    for (const name of ['js-yaml', 'yaml', 'ajv']) expect(text).toContain(`${name}@${version(name)} (`);
    expect(text).toMatch(/Permission is hereby granted, free of charge/);
    // @kubernetes/client-node stays a dependency, outside the bundles.
    expect(text).not.toContain('@kubernetes/client-node@');
  });

  it('the webhook bundle names fastify, pino, prom-client and the Kubernetes client', () => {
    const text = notices('webhook');
    for (const name of ['fastify', 'pino', 'prom-client', '@kubernetes/client-node']) {
      expect(text).toContain(`${name}@${version(name)} (`);
    }
    expect(text).toMatch(/Apache License/);
  });
});
