import { Ajv, type ValidateFunction } from 'ajv';
import type { PostgresSpec } from '../generated/postgresql.types.js';
import type { Loose } from '../rules/rule-context.js';
import { SCHEMA_RULES } from '../rules/schema.js';
import { AJV_OPTIONS } from '../schema/ajv-options.js';
import { builtinSchema, type CompiledSchema } from '../schema/compiled-schema.js';
import type { JsonSchema } from '../schema/json-schema.js';
import { schemaFindings } from '../schema/schema-findings.js';
import { SchemaNavigator } from '../schema/schema-navigator.js';
import { LineIndex } from '../source/line-index.js';
import { parseYamlDocuments } from '../source/yaml-documents.js';

export const DEFAULTS_POLICY_API_VERSION = 'acid-guard/v1';
export const DEFAULTS_POLICY_KIND = 'DefaultsPolicy';

/** Part of a `postgresql` spec: each of its fields optional. */
export type SpecFragment = Loose<PostgresSpec>;

/**
 * The platform team's defaults for `postgresql` clusters: what to set when a manifest leaves a field
 * out, for every cluster and per owning team (`spec.teamId`).
 */
export interface DefaultsPolicy {
  /** Where it came from (a file name), for the reasons of applied changes. */
  source: string;
  /** `metadata.name` of the document, when it has one. */
  name?: string;
  /** Defaults for every cluster. */
  defaults: SpecFragment;
  /** Defaults for the clusters of one team, by team id (case-sensitive, like the operator's): they win over `defaults`. */
  teams: Record<string, SpecFragment>;
}

/** One problem of a defaults policy document. */
export interface DefaultsPolicyProblem {
  /** Field path in the policy document: `spec.teams[acid].users[acid_robot]`; '' for the whole document. */
  path: string;
  message: string;
  /** What to write instead. */
  hint?: string;
  /** Whether the problem is the member's name (an unknown field) rather than its value. */
  on?: 'key';
  /** 1-based, when the document came from text. */
  location?: { line: number; column: number };
}

/** A defaults policy that cannot be used. A tool failure, not a finding: the CLI exits 2. */
export class DefaultsPolicyError extends Error {
  readonly code = 'DEFAULTS_POLICY_INVALID';

  constructor(
    /** What was read: a file name. */
    readonly source: string,
    readonly problems: readonly DefaultsPolicyProblem[],
  ) {
    super(problems.map((problem) => describeProblem(source, problem)).join('\n'));
    this.name = 'DefaultsPolicyError';
  }
}

function describeProblem(source: string, problem: DefaultsPolicyProblem): string {
  const where = problem.location ? `${source}:${problem.location.line}:${problem.location.column}` : source;
  const path = problem.path === '' ? '' : `${problem.path}: `;
  return `${where}: ${path}${problem.message}${problem.hint ? `; ${problem.hint}` : ''}`;
}

type JsonMap = Record<string, unknown>;

function isMap(value: unknown): value is JsonMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------
// The document's schema: our envelope around partial postgresql specs, compiled on first use.

/** Is this node nothing but a `required` list (a branch of Standby's "one WAL source" anyOf)? */
function onlyRequired(node: JsonSchema): boolean {
  return Object.keys(node).every((k) => k === 'required');
}

/**
 * The same schema with every field optional: `required` dropped, and `anyOf`/`oneOf` that only say
 * which fields must be present dropped too. Types, enums, patterns and unknown-field checks stay.
 */
export function partialSchema(node: JsonSchema): JsonSchema {
  const { required: _required, anyOf, oneOf, ...rest } = node;
  const out: JsonSchema = { ...rest };
  if (anyOf !== undefined && !anyOf.every(onlyRequired)) out.anyOf = anyOf.map(partialSchema);
  if (oneOf !== undefined && !oneOf.every(onlyRequired)) out.oneOf = oneOf.map(partialSchema);
  if (rest.allOf !== undefined) out.allOf = rest.allOf.map(partialSchema);
  if (rest.items !== undefined) out.items = partialSchema(rest.items);
  if (typeof rest.additionalProperties === 'object')
    out.additionalProperties = partialSchema(rest.additionalProperties);
  if (rest.properties !== undefined) out.properties = mapValues(rest.properties, partialSchema);
  if (rest.definitions !== undefined) out.definitions = mapValues(rest.definitions, partialSchema);
  return out;
}

function mapValues(map: Record<string, JsonSchema>, f: (node: JsonSchema) => JsonSchema) {
  return Object.fromEntries(Object.entries(map).map(([name, node]) => [name, f(node)]));
}

const FRAGMENT: JsonSchema = { $ref: '#/definitions/PostgresSpec' };

/** The JSON schema of a defaults policy document, for a given `postgresql` schema. */
export function defaultsPolicySchema(postgresql: JsonSchema): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'DefaultsPolicy',
    description: 'Defaults that acid-guard mutate writes into postgresql manifests that leave fields out.',
    type: 'object',
    properties: {
      apiVersion: { type: 'string', enum: [DEFAULTS_POLICY_API_VERSION] },
      kind: { type: 'string', enum: [DEFAULTS_POLICY_KIND] },
      metadata: {
        type: 'object',
        properties: { name: { type: 'string' }, description: { type: 'string' } },
        additionalProperties: false,
      },
      spec: {
        type: 'object',
        properties: {
          defaults: { description: 'Defaults for every cluster: a partial postgresql spec.', ...FRAGMENT },
          teams: {
            description: 'Defaults by team id; they win over the global defaults.',
            type: 'object',
            additionalProperties: FRAGMENT,
          },
        },
        additionalProperties: false,
      },
    },
    required: ['apiVersion', 'kind', 'spec'],
    additionalProperties: false,
    definitions: partialSchema({ definitions: postgresql.definitions ?? {} }).definitions ?? {},
  };
}

interface PolicyChecker {
  validate: ValidateFunction;
  navigator: SchemaNavigator;
}

const checkers = new WeakMap<CompiledSchema, PolicyChecker>();

function checkerFor(schema: CompiledSchema): PolicyChecker {
  let checker = checkers.get(schema);
  if (checker === undefined) {
    const json = defaultsPolicySchema(schema.json);
    checker = { validate: new Ajv(AJV_OPTIONS).compile(json), navigator: new SchemaNavigator(json) };
    checkers.set(schema, checker);
  }
  return checker;
}

/** Problems of a parsed policy document against its schema, with field paths (no positions). */
function schemaProblems(value: unknown, schema: CompiledSchema): DefaultsPolicyProblem[] {
  const { validate, navigator } = checkerFor(schema);
  if (validate(value)) return teamIdProblems(value);
  const problems = schemaFindings(validate.errors ?? [], value, navigator).map((finding) => {
    const problem: DefaultsPolicyProblem = { path: finding.path, message: finding.message };
    if (SCHEMA_RULES.find((rule) => rule.id === finding.ruleId)?.target === 'key') problem.on = 'key';
    if (finding.hint !== undefined) problem.hint = finding.hint;
    return problem;
  });
  return [...problems, ...teamIdProblems(value)];
}

/** A team section is chosen by the cluster's teamId: setting another one there would contradict it. */
function teamIdProblems(value: unknown): DefaultsPolicyProblem[] {
  const teams = isMap(value) && isMap(value.spec) && isMap(value.spec.teams) ? value.spec.teams : {};
  return Object.entries(teams)
    .filter(([, fragment]) => isMap(fragment) && Object.hasOwn(fragment, 'teamId'))
    .map(([team]) => ({
      path: `spec.teams[${team}].teamId`,
      message: `a team section applies to the clusters whose teamId is "${team}": it cannot set another`,
      hint: 'remove it (a default teamId belongs in spec.defaults)',
      on: 'key' as const,
    }));
}

function policyOf(value: JsonMap, source: string): DefaultsPolicy {
  const spec = value.spec as JsonMap;
  const metadata = isMap(value.metadata) ? value.metadata : {};
  const policy: DefaultsPolicy = {
    source,
    defaults: structuredClone((spec.defaults ?? {}) as SpecFragment),
    teams: structuredClone((spec.teams ?? {}) as Record<string, SpecFragment>),
  };
  if (typeof metadata.name === 'string') policy.name = metadata.name;
  return policy;
}

/**
 * A defaults policy from an already parsed document (a ConfigMap's value, a test). Throws
 * DefaultsPolicyError listing every problem.
 */
export function defaultsPolicyFromObject(
  value: unknown,
  source: string,
  schema: CompiledSchema = builtinSchema(),
): DefaultsPolicy {
  const problems = schemaProblems(value, schema);
  if (problems.length > 0) throw new DefaultsPolicyError(source, problems);
  return policyOf(value as JsonMap, source);
}

/**
 * A defaults policy from YAML (or JSON) text holding one `DefaultsPolicy` document. Throws
 * DefaultsPolicyError listing every problem, each with its line and column.
 */
export function loadDefaultsPolicy(
  text: string,
  source: string,
  schema: CompiledSchema = builtinSchema(),
): DefaultsPolicy {
  const lines = new LineIndex(text);
  const documents = parseYamlDocuments(text);
  const first = documents[0];
  if (first === undefined) {
    throw new DefaultsPolicyError(source, [
      {
        path: '',
        message: 'the file holds no document',
        hint: `write a ${DEFAULTS_POLICY_KIND} of ${DEFAULTS_POLICY_API_VERSION} (see docs/defaults.md)`,
      },
    ]);
  }
  const second = documents[1];
  if (second !== undefined) {
    throw new DefaultsPolicyError(source, [
      {
        path: '',
        message: `the file holds ${documents.length} documents, a defaults policy is one`,
        hint: 'merge them into one spec.defaults and one spec.teams',
        location: lines.position(second.span.start),
      },
    ]);
  }
  const { navigator } = checkerFor(schema);
  const yamlProblems: DefaultsPolicyProblem[] = first.problems.map((problem) => {
    const located: DefaultsPolicyProblem = {
      path: navigator.fieldPath(problem.segments, first.value),
      message: problem.message,
      location: lines.position(problem.span.start),
    };
    if (problem.hint !== undefined) located.hint = problem.hint;
    return located;
  });
  if (yamlProblems.length > 0 || first.value === undefined)
    throw new DefaultsPolicyError(source, yamlProblems);
  const problems = schemaProblems(first.value, schema)
    .map((problem) => ({ problem, offset: first.locate(problem.path, problem.on).start }))
    .sort((a, b) => a.offset - b.offset)
    .map(({ problem, offset }) => ({ ...problem, location: lines.position(offset) }));
  if (problems.length > 0) throw new DefaultsPolicyError(source, problems);
  return policyOf(first.value as JsonMap, source);
}
