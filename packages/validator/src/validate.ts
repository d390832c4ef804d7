import { isDeepStrictEqual } from 'node:util';
import type { ErrorObject } from 'ajv';
import type { Finding } from './finding.js';
import type { Postgresql } from './generated/postgresql.types.js';
import { MAX_OBJECT_DEPTH, nestedTooDeep } from './nesting-depth.js';
import { CONFIGMAP_DEFAULTS, type OperatorPolicy } from './policy/operator-policy.js';
import type { TeamDirectory } from './policy/team-directory.js';
import { CHECK_RULES, RULES } from './rules/catalogue.js';
import { apiVersion, kindCase } from './rules/document.js';
import type { Loose, Operation, RuleContext } from './rules/rule-context.js';
import { wrongType } from './rules/schema.js';
import { covers, DISABLE_ANNOTATION, parseRuleList, unknownSuppressedRule } from './rules/suppression.js';
import { yamlSyntax } from './rules/yaml.js';
import { builtinSchema, type CompiledSchema } from './schema/compiled-schema.js';
import { pruneNulls } from './schema/prune-nulls.js';
import { schemaFindings } from './schema/schema-findings.js';
import { pointerSegments, stepInto } from './schema/schema-navigator.js';
import { closest } from './suggest.js';

export const POSTGRESQL_API_VERSION = 'acid.zalan.do/v1';
export const POSTGRESQL_KIND = 'postgresql';

/** What a check may know beyond the object itself. */
export interface ValidationContext {
  /** CREATE (default), UPDATE or DELETE. */
  operation?: Operation;
  /** The previous version, for UPDATE. */
  old?: unknown;
  /** The schema to check against; the built-in one (operator v2.0.1) by default. */
  schema?: CompiledSchema;
  /** Rule ids (or `family/*`) to silence for this run; silenced findings are counted as suppressed. */
  disable?: readonly string[];
  /** The operator's configuration; its v2.0.1 defaults (ConfigMap path) when absent. */
  policy?: OperatorPolicy;
  /** The current time (delete protection compares the date in UTC); the clock when absent. */
  now?: Date;
  /** Who is in which team (PostgresTeam objects, teams files); team member rules are silent without it. */
  teams?: TeamDirectory;
  /** acid-guard's own option: a teamId that a non-empty team directory does not know is an error. */
  requireKnownTeam?: boolean;
}

/** Internal error of a rule: reported as a finding, never thrown at the caller. */
const RULE_FAILED = 'internal/rule-failed';
const CREATE_AND_UPDATE: readonly Operation[] = ['CREATE', 'UPDATE'];

/** Findings that count, and those an annotation or `disable` silenced (still counted as suppressed). */
export interface ValidationResult {
  findings: Finding[];
  suppressed: Finding[];
}

/**
 * Checks one `postgresql` object — parsed from a file or received by the webhook — and returns every
 * finding, unlocated. Never throws for bad input.
 */
export function validate(object: unknown, context: ValidationContext = {}): Finding[] {
  return validateDetailed(object, context).findings;
}

/** `validate`, also returning what suppressions silenced. */
export function validateDetailed(object: unknown, context: ValidationContext = {}): ValidationResult {
  const schema = context.schema ?? builtinSchema();
  const findings: Finding[] = [];
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    findings.push({
      ruleId: wrongType.id,
      severity: wrongType.severity,
      path: '',
      message: `a manifest must be a map, not ${Array.isArray(object) ? 'a list' : typeof object}`,
    });
    return { findings, suppressed: [] };
  }
  // A DELETE is judged by delete protection alone, which reads only metadata, so every object may go.
  if (context.operation === 'DELETE') return runRules(object, context, schema, findings, 'DELETE');
  const deep = nestedTooDeep(object);
  if (deep !== undefined) {
    findings.push({
      ruleId: yamlSyntax.id,
      severity: yamlSyntax.severity,
      path: deep,
      message: `nested deeper than ${MAX_OBJECT_DEPTH} levels; no postgresql field nests that deep, and the document is not read further`,
    });
    return { findings, suppressed: [] };
  }
  // A previous version nested too deep cannot be compared with: the object is judged on its own.
  if (context.old !== undefined && nestedTooDeep(context.old) !== undefined) {
    const { old: _unreadable, ...rest } = context;
    return validateDetailed(object, rest);
  }
  if (context.operation === 'UPDATE' && context.old !== undefined && sameSpec(object, context.old)) {
    // The operator writes status, finalizers and its upgrade annotations through the same resource:
    // an update that leaves the spec alone is never judged, or deletion could hang on a finalizer.
    return { findings: [], suppressed: [] };
  }
  const operation = context.operation ?? 'CREATE';
  findings.push(...documentFindings(object as Record<string, unknown>));

  // A null the API server would prune shows up as a type error: only then is there anything to prune.
  let value: unknown = object;
  let errors = schema.check(object);
  if (errors.some((error) => error.keyword === 'type' && valueAt(object, error.instancePath) === null)) {
    const pruned = pruneNulls(object, schema.navigator);
    findings.push(...pruned.findings);
    value = pruned.value;
    errors = schema.check(value);
  }
  findings.push(...schemaFindings(errors, value, schema.navigator));
  return runRules(withoutInvalid(value, object, errors), context, schema, findings, operation);
}

/** Runs the check rules that judge this operation, then applies suppressions. */
function runRules(
  object: unknown,
  context: ValidationContext,
  schema: CompiledSchema,
  findings: Finding[],
  operation: Operation,
): ValidationResult {
  const ruleContext: RuleContext = {
    object: object as Loose<Postgresql>,
    operation,
    schema,
    policy: context.policy ?? CONFIGMAP_DEFAULTS,
    now: context.now ?? new Date(),
  };
  if (context.teams !== undefined) ruleContext.teams = context.teams;
  if (context.requireKnownTeam !== undefined) ruleContext.requireKnownTeam = context.requireKnownTeam;
  if (context.old !== undefined && operation === 'UPDATE') {
    const old = pruneNulls(context.old, schema.navigator).value;
    ruleContext.old = withoutInvalid(old, context.old, schema.check(old)) as Loose<Postgresql>;
  }
  for (const rule of CHECK_RULES) {
    if (!(rule.operations ?? CREATE_AND_UPDATE).includes(operation)) continue;
    try {
      for (const problem of rule.check(ruleContext)) {
        findings.push({ ruleId: rule.id, severity: rule.severity, ...problem });
      }
    } catch (error) {
      findings.push({
        ruleId: RULE_FAILED,
        severity: 'warning',
        path: '',
        message: `rule ${rule.id} failed on this manifest: ${(error as Error).message}`,
      });
    }
  }
  return suppress(findings, ruleContext.object, context.disable ?? []);
}

/** Splits findings by the run's `disable` list and the object's `acid-guard/disable` annotation. */
function suppress(
  findings: Finding[],
  object: Loose<Postgresql>,
  disable: readonly string[],
): ValidationResult {
  const annotation = object.metadata?.annotations?.[DISABLE_ANNOTATION];
  const fromAnnotation = typeof annotation === 'string' ? parseRuleList(annotation) : [];
  const patterns = [...disable, ...fromAnnotation];
  for (const pattern of fromAnnotation) {
    if (!RULES.some((rule) => covers(pattern, rule.id)) && pattern !== RULE_FAILED) {
      findings.push({
        ruleId: unknownSuppressedRule.id,
        severity: unknownSuppressedRule.severity,
        path: `metadata.annotations[${DISABLE_ANNOTATION}]`,
        message: `"${pattern}" is not a rule id, so it silences nothing`,
        hint: suggestRule(pattern),
      });
    }
  }
  if (patterns.length === 0) return { findings, suppressed: [] };
  const result: ValidationResult = { findings: [], suppressed: [] };
  for (const finding of findings) {
    const silenced =
      finding.ruleId !== unknownSuppressedRule.id && patterns.some((p) => covers(p, finding.ruleId));
    (silenced ? result.suppressed : result.findings).push(finding);
  }
  return result;
}

function suggestRule(pattern: string): string {
  const near = closest(
    pattern,
    RULES.map((rule) => rule.id),
  );
  return near === undefined ? 'run `acid-guard rules` for the list of rule ids' : `did you mean "${near}"?`;
}

function valueAt(data: unknown, pointer: string): unknown {
  return pointerSegments(pointer).reduce<unknown>(stepInto, data);
}

function sameSpec(object: object, old: unknown): boolean {
  const spec = (object as { spec?: unknown }).spec;
  const oldSpec = old !== null && typeof old === 'object' ? (old as { spec?: unknown }).spec : undefined;
  return isDeepStrictEqual(spec, oldSpec);
}

/** Is this document a `postgresql`, as kubectl would resolve its kind (any case, any acid version)? */
export function looksLikePostgresql(object: unknown): boolean {
  if (object === null || typeof object !== 'object') return false;
  const kind = (object as { kind?: unknown }).kind;
  return typeof kind === 'string' && kind.toLowerCase() === POSTGRESQL_KIND;
}

function documentFindings(object: Record<string, unknown>): Finding[] {
  const findings: Finding[] = [];
  const { kind, apiVersion: version } = object;
  if (typeof kind === 'string' && kind !== POSTGRESQL_KIND && kind.toLowerCase() === POSTGRESQL_KIND) {
    findings.push({
      ruleId: kindCase.id,
      severity: kindCase.severity,
      path: 'kind',
      message: `kind "${kind}" does not exist: the operator's kind is lower-case "postgresql"`,
      hint: 'write kind: postgresql',
    });
  }
  if (version !== POSTGRESQL_API_VERSION) {
    findings.push({
      ruleId: apiVersion.id,
      severity: apiVersion.severity,
      path: 'apiVersion',
      message:
        version === undefined
          ? 'apiVersion is missing'
          : `apiVersion ${JSON.stringify(version)} is not served: the operator serves postgresql only as ${POSTGRESQL_API_VERSION}`,
      hint: `write apiVersion: ${POSTGRESQL_API_VERSION}`,
    });
  }
  return findings;
}

/**
 * The object without unknown fields and values of the wrong type, so that rules see only what the CRD
 * allows. The caller's object is never changed: it is copied first when pruning did not copy it.
 */
function withoutInvalid(data: unknown, original: unknown, errors: readonly ErrorObject[]): unknown {
  if (!errors.some((e) => e.keyword === 'additionalProperties' || e.keyword === 'type')) return data;
  const own = data === original ? structuredClone(data) : data;
  removeInvalid(own, errors);
  return own;
}

function removeInvalid(data: unknown, errors: readonly ErrorObject[]): void {
  for (const error of errors) {
    const segments = pointerSegments(error.instancePath);
    if (error.keyword === 'additionalProperties') {
      segments.push(String((error.params as { additionalProperty: string }).additionalProperty));
    } else if (error.keyword !== 'type') {
      continue;
    }
    const last = segments.pop();
    if (last === undefined) continue;
    let parent: unknown = data;
    for (const segment of segments) {
      parent =
        parent !== null && typeof parent === 'object'
          ? (parent as Record<string, unknown>)[segment]
          : undefined;
    }
    if (parent !== null && typeof parent === 'object' && !Array.isArray(parent)) {
      delete (parent as Record<string, unknown>)[last];
    } else if (Array.isArray(parent)) {
      parent[Number(last)] = undefined;
    }
  }
}
