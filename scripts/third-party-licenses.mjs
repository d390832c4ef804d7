// Writes dist/THIRD-PARTY-LICENSES.txt for bundles: every npm package esbuild put into them (read from
// the bundles' metafiles), with its version, its declared licence and the text of its licence file.
// The bundles are built with `legalComments: 'none'`, so this file is where those notices travel.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `node_modules/@scope/name/…` or `node_modules/name/…` → the package folder (the innermost one). */
function packageDirOf(input) {
  const at = input.lastIndexOf('node_modules/');
  if (at === -1) return undefined;
  const rest = input.slice(at + 'node_modules/'.length).split('/');
  const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  return `${input.slice(0, at)}node_modules/${name}`;
}

function licenseText(dir) {
  const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying|notice)(\.|$)/i.test(name));
  return file === undefined ? undefined : readFileSync(join(dir, file), 'utf8').trim();
}

/**
 * @param {string} outfile where to write
 * @param {import('esbuild').Metafile[]} metafiles of the bundles that ship
 * @param {string} cwd the folder the metafiles' input paths are relative to
 */
export function writeThirdPartyLicenses(outfile, metafiles, cwd) {
  const dirs = new Set();
  for (const metafile of metafiles) {
    for (const output of Object.values(metafile.outputs)) {
      for (const input of Object.keys(output.inputs)) {
        const dir = packageDirOf(input);
        if (dir !== undefined) dirs.add(dir);
      }
    }
  }
  const entries = [];
  for (const dir of dirs) {
    const absolute = join(cwd, dir);
    const manifest = join(absolute, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name, version, license } = JSON.parse(readFileSync(manifest, 'utf8'));
    const text = licenseText(absolute);
    if (text === undefined && !license) {
      throw new Error(`${name}@${version}: bundled, but it has neither a licence field nor a licence file`);
    }
    entries.push({ id: `${name}@${version}`, license: license ?? 'see below', text });
  }
  entries.sort((a, b) => a.id.localeCompare(b.id));
  const unique = entries.filter((entry, i) => i === 0 || entries[i - 1].id !== entry.id);
  const body = unique
    .map(({ id, license, text }) => `${id} (${license})\n\n${text ?? `Licensed under ${license}.`}\n`)
    .join(`\n${'-'.repeat(78)}\n\n`);
  writeFileSync(
    outfile,
    `The bundled files in dist/ contain the following ${unique.length} packages, under their own licences.\n\n${'='.repeat(78)}\n\n${body}`,
  );
  return unique.length;
}
