// Builds the package: bundled ESM with esbuild (one file for the CLI, so that it starts fast),
// type declarations with tsc, and the JSON schema for editors.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeThirdPartyLicenses } from '../../scripts/third-party-licenses.mjs';

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
/** Leaves the CLI's lazy imports of the commands bundled apart pointing at their own bundles. */
const separateCommands = {
  name: 'separate-commands',
  setup(builder) {
    builder.onResolve(
      { filter: /^\.\/(mutate-command|audit-command|schema-choice)\.js$/, namespace: 'file' },
      (args) => ({
        path: args.path.replace(/\.js$/, '.cjs'),
        external: true,
      }),
    );
  },
};

const [, ...bundles] = await Promise.all([
  // The library: dependencies stay external, as a library should leave them to the application.
  build({
    ...common,
    entryPoints: [join(here, 'src/index.ts')],
    outfile: join(dist, 'index.js'),
    packages: 'external',
  }),
  // The CLI: everything in one CommonJS file, so that bin/acid-guard.cjs can start it with V8's code cache.
  build({
    ...common,
    format: 'cjs',
    entryPoints: [join(here, 'src/cli.ts')],
    outfile: join(dist, 'cli.cjs'),
    minifySyntax: true,
    plugins: [separateCommands],
  }),
  // `acid-guard mutate` in a file of its own: it brings the yaml and ajv libraries, which every lint
  // run would otherwise read and deserialize at start-up.
  build({
    ...common,
    format: 'cjs',
    entryPoints: [join(here, 'src/cli/mutate-command.ts')],
    outfile: join(dist, 'mutate-command.cjs'),
    minifySyntax: true,
  }),
  // `--crd` and `--operator-version` in a file of their own: the CRD compiler brings ajv, and the other
  // releases' validators are large; a lint with the built-in schema starts without them.
  build({
    ...common,
    format: 'cjs',
    entryPoints: [join(here, 'src/cli/schema-choice.ts')],
    outfile: join(dist, 'schema-choice.cjs'),
    minifySyntax: true,
  }),
  // `acid-guard audit` in a file of its own too. @kubernetes/client-node stays outside the bundle (a
  // dependency of this package, imported only when a cluster is read: it takes about a second to load).
  build({
    ...common,
    format: 'cjs',
    entryPoints: [join(here, 'src/cli/audit-command.ts')],
    outfile: join(dist, 'audit-command.cjs'),
    minifySyntax: true,
    external: ['@kubernetes/client-node'],
  }),
]);
writeThirdPartyLicenses(
  join(dist, 'THIRD-PARTY-LICENSES.txt'),
  bundles.map((bundle) => bundle.metafile),
  process.cwd(),
);
copyFileSync(join(here, 'src/generated/postgresql.schema.json'), join(dist, 'postgresql.schema.json'));
execFileSync(
  process.execPath,
  [join(here, '../../node_modules/typescript/bin/tsc'), '-p', join(here, 'tsconfig.build.json')],
  {
    stdio: 'inherit',
  },
);
