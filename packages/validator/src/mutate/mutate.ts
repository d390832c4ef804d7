import { nestedTooDeep } from '../nesting-depth.js';
import { builtinSchema, type CompiledSchema } from '../schema/compiled-schema.js';
import type { JsonSchema } from '../schema/json-schema.js';
import type { SchemaNavigator } from '../schema/schema-navigator.js';
import type { DefaultsPolicy } from './defaults-policy.js';
import { diffPatch, type JsonPatchOperation } from './json-patch.js';

/** What a mutation may know beyond the object itself. */
export interface MutateContext {
  /** The platform team's defaults; without them only type repairs apply. */
  defaults?: DefaultsPolicy;
  /** The schema that decides where strings belong; the built-in one (operator v2.0.1) by default. */
  schema?: CompiledSchema;
}

/** One change a mutation made. */
export interface AppliedChange {
  /** Kubernetes field path: `spec.postgresql.version`, `spec.users[acid_robot]`. */
  path: string;
  /** The value before: `undefined` when the field was absent, `null` when it was null. */
  old: unknown;
  new: unknown;
  /** Why: a type repair, or which defaults (global or a team's) set it. */
  reason: string;
}

export interface MutationResult {
  /** The mutated copy (the input itself is never modified). */
  object: unknown;
  changes: AppliedChange[];
  /** RFC 6902 patch against the input: `add` and `replace` only, never `remove`. */
  patch: JsonPatchOperation[];
}

type JsonMap = Record<string, unknown>;

function isMap(value: unknown): value is JsonMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Absent, as the API server sees it: it prunes nulls before any webhook runs. */
function isAbsent(map: JsonMap, name: string): boolean {
  return !Object.hasOwn(map, name) || map[name] === null || map[name] === undefined;
}

/** Sets an own member, also for names such as `__proto__` that plain assignment would not create. */
function setMember(map: JsonMap, name: string, value: unknown): void {
  Object.defineProperty(map, name, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Mutates one `postgresql` object as the admission webhook does before schema validation: fills in
 * what the defaults policy says for fields the manifest leaves out (global defaults, then the owning
 * team's, which win), never overriding a value the manifest sets, then turns numbers and booleans
 * into strings where the CRD wants strings. Pure; mutating the result again changes nothing.
 */
export function mutate(object: unknown, context: MutateContext = {}): MutationResult {
  // Nothing to mutate in what is not a map, or nests too deep to be walked (validation refuses it).
  if (!isMap(object) || nestedTooDeep(object) !== undefined) return { object, changes: [], patch: [] };
  const navigator = (context.schema ?? builtinSchema()).navigator;
  const result = structuredClone(object);
  const changes: AppliedChange[] = [];
  if (context.defaults !== undefined) applyDefaults(result, context.defaults, navigator, changes);
  // After the defaults, so that a hand-built policy with a number where a string belongs is repaired
  // too, and a second run has nothing left to do.
  repairTypes(result, navigator, changes);
  return { object: result, changes, patch: diffPatch(object, result) };
}

// ---------------------------------------------------------------------------------------------------
// Defaults

/** A source of defaults, by precedence: a team's section before the global defaults. */
interface Layer {
  fragment: unknown;
  reason: string;
}

function applyDefaults(
  object: JsonMap,
  policy: DefaultsPolicy,
  navigator: SchemaNavigator,
  changes: AppliedChange[],
): void {
  if (!isAbsent(object, 'spec') && !isMap(object.spec)) return; // a spec of the wrong type: not ours to fix
  const from = policy.name === undefined ? policy.source : `${policy.name} (${policy.source})`;
  const layers: Layer[] = [{ fragment: policy.defaults, reason: `default from ${from}` }];
  const team = teamOf(object, policy);
  const teamFragment = team === undefined ? undefined : ownValue(policy.teams, team);
  if (isMap(teamFragment)) {
    // The team was chosen by teamId: a section cannot change it (the loader refuses one that tries).
    const { teamId: _ignored, ...fragment } = teamFragment;
    layers.unshift({ fragment, reason: `default for team ${team} from ${from}` });
  }
  const spec = isMap(object.spec) ? object.spec : {};
  const before = changes.length;
  fill(spec, layers, ['spec'], object, navigator, changes);
  if (!isMap(object.spec) && changes.length > before) setMember(object, 'spec', spec);
}

/** The owning team: the manifest's `teamId`, else the one the global defaults would give it. */
function teamOf(object: JsonMap, policy: DefaultsPolicy): string | undefined {
  const own = isMap(object.spec) ? object.spec.teamId : undefined;
  if (typeof own === 'string') return own;
  return typeof policy.defaults.teamId === 'string' ? policy.defaults.teamId : undefined;
}

function ownValue(map: unknown, name: string): unknown {
  return isMap(map) && Object.hasOwn(map, name) && map[name] !== null ? map[name] : undefined;
}

/**
 * Fills the absent members of `target` from the layers: the first layer (by precedence) that has a
 * member decides it; maps are merged member by member, anything else (lists included) is taken whole
 * and only when the target lacks it. Members come in the global defaults' order, then the team's.
 */
function fill(
  target: JsonMap,
  layers: readonly Layer[],
  segments: string[],
  root: JsonMap,
  navigator: SchemaNavigator,
  changes: AppliedChange[],
): void {
  const names = new Set<string>();
  for (const layer of [...layers].reverse()) {
    if (isMap(layer.fragment)) for (const name of Object.keys(layer.fragment)) names.add(name);
  }
  for (const name of names) {
    const present = layers.filter((layer) => ownValue(layer.fragment, name) !== undefined);
    const winner = present[0];
    if (winner === undefined) continue;
    const value = ownValue(winner.fragment, name);
    const path = [...segments, name];
    if (isMap(value)) {
      if (!isAbsent(target, name) && !isMap(target[name])) continue; // set by the manifest: never overridden
      // Maps of lower layers merge in, down to the first layer that is not a map here.
      const stop = present.findIndex((layer) => !isMap(ownValue(layer.fragment, name)));
      const merged = present
        .slice(0, stop < 0 ? present.length : stop)
        .map((layer) => ({ fragment: ownValue(layer.fragment, name), reason: layer.reason }));
      if (isMap(target[name])) {
        fill(target[name] as JsonMap, merged, path, root, navigator, changes);
        continue;
      }
      const old = target[name];
      const created: JsonMap = {};
      setMember(target, name, created);
      const before = changes.length;
      fill(created, merged, path, root, navigator, changes);
      if (changes.length === before) {
        // An empty map is a value of its own (`preparedDatabases: {}` creates a database).
        changes.push({ path: navigator.fieldPath(path, root), old, new: {}, reason: winner.reason });
      }
      continue;
    }
    if (!isAbsent(target, name)) continue;
    const old = target[name];
    setMember(target, name, structuredClone(value));
    changes.push({
      path: navigator.fieldPath(path, root),
      old,
      new: structuredClone(value),
      reason: winner.reason,
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// Type repairs

/**
 * Where the schema wants exactly a string and the value is a number or a boolean, writes the string
 * (`version: 17` → `"17"`, `max_connections: 100` → `"100"`, `ssl: true` → `"true"`, which PostgreSQL
 * reads as on). Only the type is repaired: whether the string is a valid value is for validate to say.
 */
function repairTypes(root: JsonMap, navigator: SchemaNavigator, changes: AppliedChange[]): void {
  const visit = (node: unknown, schema: JsonSchema | undefined, segments: string[]): void => {
    if (schema === undefined) return; // below preserve-unknown-fields or an unknown field: not ours
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        const next = navigator.childOf(schema, String(i), true).schema;
        const repaired = stringFor(item, next, navigator);
        if (repaired !== undefined) {
          node[i] = repaired;
          changes.push(repairChange(navigator, [...segments, String(i)], root, item, repaired));
        } else visit(item, next, [...segments, String(i)]);
      });
      return;
    }
    if (!isMap(node)) return;
    for (const [name, value] of Object.entries(node)) {
      const next = navigator.childOf(schema, name, false).schema;
      const repaired = stringFor(value, next, navigator);
      if (repaired !== undefined) {
        setMember(node, name, repaired);
        changes.push(repairChange(navigator, [...segments, name], root, value, repaired));
      } else visit(value, next, [...segments, name]);
    }
  };
  visit(root, navigator.root, []);
}

/** The string a number or boolean becomes where the schema wants exactly a string; else undefined. */
function stringFor(
  value: unknown,
  schema: JsonSchema | undefined,
  navigator: SchemaNavigator,
): string | undefined {
  if (schema === undefined || navigator.resolve(schema).type !== 'string') return undefined;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function repairChange(
  navigator: SchemaNavigator,
  segments: string[],
  root: JsonMap,
  old: unknown,
  repaired: string,
): AppliedChange {
  const kind = typeof old === 'boolean' ? 'a boolean' : 'a number';
  return {
    path: navigator.fieldPath(segments, root),
    old,
    new: repaired,
    reason: `type repair: the CRD wants a string here, the API server would reject ${kind}`,
  };
}
