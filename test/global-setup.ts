import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Tests that run the built CLI or webhook need their dist/; `npm test` builds first, a bare `vitest`
 * builds here once (the webhook bundles the validator, so it is built after it).
 */
export default function setup(): void {
  const root = join(import.meta.dirname, '..');
  const builds = [
    ['packages/validator/dist/cli.cjs', 'packages/validator/build.mjs'],
    ['webhook/dist/main.js', 'webhook/build.mjs'],
  ];
  for (const [output, script] of builds) {
    if (!existsSync(join(root, output as string))) {
      execFileSync(process.execPath, [join(root, script as string)], { stdio: 'inherit' });
    }
  }
}
