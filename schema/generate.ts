import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateFiles } from './generate-files.js';
import { SCHEMA_DIR } from './load.js';

/** `npm run generate`: writes packages/validator/src/generated/ from schema/. */
const target = join(SCHEMA_DIR, '..', 'packages', 'validator', 'src', 'generated');
mkdirSync(target, { recursive: true });
const files = await generateFiles();
for (const [name, content] of files) {
  writeFileSync(join(target, name), content);
  console.log(`wrote ${join('packages/validator/src/generated', name)} (${content.length} bytes)`);
}
