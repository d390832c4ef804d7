import type { ErrorObject } from 'ajv';
import schemaJson from '../generated/postgresql.schema.json' with { type: 'json' };
import validateBuiltin from '../generated/postgresql.validate.js';
import { RESOURCES } from '../generated/resources.js';
import type { JsonSchema } from './json-schema.js';
import { SchemaNavigator } from './schema-navigator.js';

/** A compiled `postgresql` schema: the built-in one, or one compiled from a cluster's CRD. */
export interface CompiledSchema {
  json: JsonSchema;
  navigator: SchemaNavigator;
  /** Validates and returns ajv's errors (empty when valid). */
  check(data: unknown): readonly ErrorObject[];
  /** Where it came from, for messages: `built-in (operator v2.0.1)`, `CRD postgresql.crd.yaml`. */
  origin: string;
  /** The `spec.postgresql.version` enum. */
  supportedVersions: readonly string[];
  /** The operator release it is the schema of, when known (shipped schemas, and CRDs equal to one). */
  operatorVersion?: string;
}

export function compiledSchema(
  json: JsonSchema,
  validate: ValidateLike,
  origin: string,
  operatorVersion?: string,
): CompiledSchema {
  const navigator = new SchemaNavigator(json, true);
  const version = navigator.nodeAt(['spec', 'postgresql', 'version'], {
    spec: { postgresql: { version: '' } },
  });
  const compiled: CompiledSchema = {
    json,
    navigator,
    origin,
    supportedVersions: (version?.enum ?? []).map(String),
    check(data) {
      return validate(data) ? [] : (validate.errors ?? []);
    },
  };
  if (operatorVersion !== undefined) compiled.operatorVersion = operatorVersion;
  return compiled;
}

export interface ValidateLike {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

let builtin: CompiledSchema | undefined;

/** The schema generated from schema/ (operator v2.0.1), precompiled: nothing is compiled at start-up. */
export function builtinSchema(): CompiledSchema {
  builtin ??= compiledSchema(
    schemaJson as JsonSchema,
    validateBuiltin,
    `built-in (operator v${RESOURCES.postgresql.operatorVersion})`,
    RESOURCES.postgresql.operatorVersion,
  );
  return builtin;
}
