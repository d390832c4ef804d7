import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateFiles } from './generate-files.js';
import { generateParametersModule, PARAMETERS_SOURCE, readParametersSource } from './generate-parameters.js';
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
// The PostgreSQL parameter tables come from a reference file outside the repository; without it the
// committed tables stay as they are.
if (existsSync(PARAMETERS_SOURCE)) {
  write(
    'packages/validator/src/generated/postgres-parameters.ts',
    generateParametersModule(readParametersSource()),
  );
} else {
  console.log(`skipped the PostgreSQL parameter tables: ${PARAMETERS_SOURCE} is missing`);
}
const { rulesMarkdown } = await import('../packages/validator/src/rules/rules-markdown.js');
const { RULES } = await import('../packages/validator/src/rules/catalogue.js');
write('docs/rules.md', rulesMarkdown(RULES));
