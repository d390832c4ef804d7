import schemaJson from '../generated/postgresql-v1.15.1.schema.json' with { type: 'json' };
import validate from '../generated/postgresql-v1.15.1.validate.js';
import { RESOURCES } from '../generated/resources.js';
import { type CompiledSchema, compiledSchema } from './compiled-schema.js';
import type { JsonSchema } from './json-schema.js';

let compiled: CompiledSchema | undefined;

/**
 * The `postgresql` schema of operator v1.15.1 (schema/postgresql-v1.15.1.yaml), precompiled by
 * `npm run generate`: nothing is compiled at start-up. Loaded only when that release is asked for.
 */
export function schemaV1_15_1(): CompiledSchema {
  const { operatorVersion } = RESOURCES['postgresql-v1.15.1'];
  compiled ??= compiledSchema(
    schemaJson as JsonSchema,
    validate,
    `shipped (operator v${operatorVersion})`,
    operatorVersion,
  );
  return compiled;
}
