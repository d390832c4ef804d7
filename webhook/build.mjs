// Builds the package: the server bundled into one ESM file with esbuild (dependencies included, so
// that a container image needs nothing but node and dist/), the library entry with its dependencies
// left external, and type declarations with tsc.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeThirdPartyLicenses } from '../scripts/third-party-licenses.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
  // Licence notices of bundled packages go to dist/THIRD-PARTY-LICENSES.txt instead.
  legalComments: 'none',
  metafile: true,
};
const [server] = await Promise.all([
  // The server: its dependencies bundled in, so that an image needs nothing but node and dist/. What is
  // imported lazily (the cluster sources with @kubernetes/client-node, used only with --cluster) goes
  // into chunks of its own, which a server reading files never loads. CommonJS dependencies (fastify,
  // pino, prom-client, ajv) call require(), which an ES module lacks: the banner gives them one.
  build({
    ...common,
    entryPoints: { main: join(here, 'src/main.ts') },
    outdir: dist,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    minifySyntax: true,
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  }),
  // The library: dependencies stay external, as a library should leave them to the application.
  build({
    ...common,
    entryPoints: [join(here, 'src/index.ts')],
    outfile: join(dist, 'index.js'),
    packages: 'external',
  }),
]);
writeThirdPartyLicenses(join(dist, 'THIRD-PARTY-LICENSES.txt'), [server.metafile], process.cwd());
execFileSync(
  process.execPath,
  [join(here, '../node_modules/typescript/bin/tsc'), '-p', join(here, 'tsconfig.build.json')],
  { stdio: 'inherit' },
);
