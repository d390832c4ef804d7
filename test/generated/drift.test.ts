import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../packages/validator/src/rules/catalogue.js';
import { rulesMarkdown } from '../../packages/validator/src/rules/rules-markdown.js';
import { generateFiles } from '../../schema/generate-files.js';

const root = join(import.meta.dirname, '..', '..');

describe('generated files match their sources (run `npm run generate` after changing schema/ or a rule)', () => {
  it('packages/validator/src/generated/ matches schema/', async () => {
    const files = await generateFiles();
    expect(files.size).toBeGreaterThan(4);
    for (const [name, content] of files) {
      const committed = readFileSync(join(root, 'packages/validator/src/generated', name), 'utf8');
      expect(committed, `${name} drifted from schema/`).toBe(content);
    }
  });

  it('ships the schema of operator v1.15.1 precompiled, with no ajv needed at run time', async () => {
    const files = await generateFiles();
    for (const name of ['schema.json', 'validate.js', 'validate.d.ts'])
      expect(files.has(`postgresql-v1.15.1.${name}`), name).toBe(true);
    expect(files.has('postgresql-v1.15.1.types.ts')).toBe(false);
    expect(files.get('postgresql-v1.15.1.validate.js')).not.toMatch(/\brequire\(/);
    expect(files.get('resources.ts')).toContain('"operatorVersion": "1.15.1"');
  });

  it('docs/rules.md matches the rule catalogue', () => {
    const committed = readFileSync(join(root, 'docs/rules.md'), 'utf8');
    expect(committed).toBe(rulesMarkdown(RULES));
  });
});
