import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { postgresParameterTables } from '../../packages/validator/src/generated/postgres-parameters.js';
import {
  generateParametersModule,
  PARAMETERS_OUTPUT,
  PARAMETERS_SOURCE,
  readParametersSource,
} from '../../schema/generate-parameters.js';

const present = existsSync(PARAMETERS_SOURCE);
if (!present) console.warn(`parameters drift: ${PARAMETERS_SOURCE} is missing — the drift check is skipped`);

describe.skipIf(!present)(
  'generated PostgreSQL parameter tables (run `npx tsx schema/generate-parameters.ts` after the reference changes)',
  () => {
    it('match ../shared/reference/postgres-parameters.json', () => {
      const expected = generateParametersModule(readParametersSource());
      expect(readFileSync(PARAMETERS_OUTPUT, 'utf8')).toBe(expected);
    });

    it('keep every version and parameter of the reference, with its definition', () => {
      const source = readParametersSource();
      const tables = postgresParameterTables();
      expect(tables.versions).toEqual(Object.keys(source.versions));
      for (const [position, version] of tables.versions.entries()) {
        const names = Object.keys(source.versions[version] ?? {});
        const generated = Object.entries(tables.parameters).filter(([, p]) => (p.v[position] ?? -1) !== -1);
        expect(generated.map(([name]) => name).sort(), version).toEqual([...names].sort());
        for (const [name, { d, v }] of generated) {
          const [type, context, , , unit, min, max] = d[v[position] as number] ?? [];
          const original = source.versions[version]?.[name];
          expect({ type, context, unit: unit ?? undefined, min: min ?? undefined, max: max ?? undefined }).toEqual({
            type: original?.type,
            context: original?.context,
            unit: original?.unit,
            min: original?.min,
            max: original?.max,
          });
        }
      }
    });
  },
);
