import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateFiles } from './generate-files.js';
import { SCHEMA_DIR } from './load.js';

/**
 * `npm run generate`: writes packages/validator/src/generated/ from schema/, then docs/rules.md from
 * the rule catalogue (which is imported only after the schema is regenerated).
 */
const root = join(SCHEMA_DIR, '..');
const write = (path: string, content: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
  console.log(`wrote ${path} (${content.length} bytes)`);
};
for (const [name, content] of await generateFiles())
  write(join('packages/validator/src/generated', name), content);
const { rulesMarkdown } = await import('../packages/validator/src/rules/rules-markdown.js');
const { RULES } = await import('../packages/validator/src/rules/catalogue.js');
write('docs/rules.md', rulesMarkdown(RULES));
