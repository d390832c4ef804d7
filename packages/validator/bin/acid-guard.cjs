#!/usr/bin/env node
'use strict';
// Starts the CLI from its single bundled file. V8's code cache for it is kept in the OS temp
// directory, so that runs after the first skip compiling (what Node 22's module.enableCompileCache()
// does; Node 20 lacks it). Any problem with the cache falls back to a plain require.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');

const bundle = path.join(__dirname, '..', 'dist', 'cli.cjs');

function load() {
  if (process.env.ACID_GUARD_NO_CODE_CACHE) return { exports: require(bundle) };
  const source = fs.readFileSync(bundle, 'utf8');
  const stat = fs.statSync(bundle);
  const cacheDir = path.join(
    os.tmpdir(),
    `acid-guard-code-cache-${process.getuid ? process.getuid() : 'user'}`,
  );
  const cacheFile = path.join(cacheDir, `${process.version}-${stat.size}-${Math.floor(stat.mtimeMs)}.bin`);
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

let loaded;
try {
  loaded = load();
} catch {
  loaded = { exports: require(bundle) };
}
// The cache is written after the run, so that it holds the functions the run compiled.
loaded.exports.run().then(() => saveCache(loaded));
