import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import type { SchemaDocument, StructuralSchema } from '../packages/validator/src/schema/structural-schema.js';

export const SCHEMA_DIR = dirname(fileURLToPath(import.meta.url));

/** The built-in resources, and the `postgresql` of earlier operator releases we ship (`postgresql-v1.15.1`). */
export type SchemaName = 'postgresql' | 'postgresteam' | `postgresql-v${string}`;

interface SchemaFile {
  /** What the schema describes; carried into the generated files. */
  resource?: { group: string; version: string; kind: string; plural: string; operatorVersion: string };
  schema?: StructuralSchema;
  definitions?: Record<string, StructuralSchema>;
}

function readSchemaFile(name: string): SchemaFile {
  return load(readFileSync(join(SCHEMA_DIR, name), 'utf8')) as SchemaFile;
}

/**
 * Our schema for one resource, with the shared Kubernetes definitions merged in. The `postgresql` of an
 * earlier operator release (`postgresql-v<version>.yaml`) also gets the definitions of the current
 * `postgresql.yaml`, so that it only writes the types that differ; a definition of its own with the same
 * name replaces the current one.
 */
export function loadSchemaDocument(name: SchemaName): SchemaDocument & {
  resource: NonNullable<SchemaFile['resource']>;
} {
  const own = readSchemaFile(`${name}.yaml`);
  const kubernetes = readSchemaFile('kubernetes.yaml');
  if (!own.schema || !own.resource) throw new Error(`schema/${name}.yaml needs "resource" and "schema"`);
  const current = name.startsWith('postgresql-v') ? readSchemaFile('postgresql.yaml').definitions : {};
  const definitions = { ...kubernetes.definitions, ...current, ...own.definitions };
  return { resource: own.resource, schema: own.schema, definitions };
}
