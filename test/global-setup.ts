import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Tests that run the built CLI need dist/; `npm test` builds first, a bare `vitest` builds here once. */
export default function setup(): void {
  const root = join(import.meta.dirname, '..');
  if (!existsSync(join(root, 'packages/validator/dist/cli.cjs'))) {
    execFileSync(process.execPath, [join(root, 'packages/validator/build.mjs')], { stdio: 'inherit' });
  }
}
