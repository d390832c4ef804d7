#!/usr/bin/env node
'use strict';
// Starts the CLI from its bundled file, and gives it a loader for the files bundled apart (mutate,
// audit, --crd/--operator-version). V8's code cache for each is kept in the OS temp directory, so
// that runs after the first skip compiling (what Node 22's module.enableCompileCache() does; Node 20
// lacks it). Any problem with the cache falls back to a plain require.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');

const entry = path.join(__dirname, '..', 'dist', 'cli.cjs');

// A bundle run as a vm script cannot use import() (Node 20 has no stable loader for it): only
// bundles that never import dynamically may come through here.
function load(bundle) {
  if (process.env.ACID_GUARD_NO_CODE_CACHE) return { exports: require(bundle) };
  const source = fs.readFileSync(bundle, 'utf8');
  const stat = fs.statSync(bundle);
  const cacheDir = path.join(
    os.tmpdir(),
    `acid-guard-code-cache-${process.getuid ? process.getuid() : 'user'}`,
  );
  const cacheFile = path.join(
    cacheDir,
    `${path.basename(bundle, '.cjs')}-${process.version}-${stat.size}-${Math.floor(stat.mtimeMs)}.bin`,
  );
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {}
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapped, { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, bundle, path.dirname(bundle));
  const save = cachedData === undefined || script.cachedDataRejected;
  return { exports: module.exports, script, cacheDir, cacheFile, save };
}

function saveCache(loaded) {
  if (!loaded.save) return;
  try {
    fs.mkdirSync(loaded.cacheDir, { recursive: true, mode: 0o700 });
    const temporary = `${loaded.cacheFile}.${process.pid}`;
    fs.writeFileSync(temporary, loaded.script.createCachedData());
    fs.renameSync(temporary, loaded.cacheFile);
  } catch {}
}

const loaded = [];
function requireBundle(file) {
  let one;
  try {
    one = load(file);
  } catch {
    one = { exports: require(file) };
  }
  loaded.push(one);
  return one.exports;
}

// The caches are written after the run, so that they hold the functions the run compiled.
requireBundle(entry)
  .run(undefined, { requireBundle })
  .then(() => {
    for (const one of loaded) saveCache(one);
  });
