/**
 * The schema of the live cluster: its CRD `postgresqls.acid.zalan.do` (which the operator registers at
 * start-up), compiled with the code `acid-guard lint --crd` uses. A CRD the operator's own release
 * ships with is recognised and judged with its precompiled validator; any other is compiled with ajv
 * (once per version of the CRD, not once per snapshot).
 *
 * The schema never blocks admission: while the CRD cannot be read (403, not found) or cannot serve as a
 * schema (CEL rules, a pattern without an ECMAScript translation), the last good one stays in use, or
 * the built-in schema (operator v2.0.1) when there was none. Pure: the informer's state comes in, what
 * to judge with (and the problem to report) goes out.
 */
import {
  type CompiledSchema,
  CrdSchemaError,
  CUSTOM_RESOURCE_DEFINITIONS,
  compileCrdObject,
  type KubeObject,
  POSTGRESQL_CRD_NAME,
} from '@acid-guard/validator';
import type { SchemaSource } from '../metrics.js';

export { CUSTOM_RESOURCE_DEFINITIONS };

/** The name of the `postgresql` CRD. */
export const POSTGRESQL_CRD = POSTGRESQL_CRD_NAME;

/** How compiled schemas and their errors name the CRD. */
const CRD_SOURCE = `${POSTGRESQL_CRD} of the cluster`;

/** The CRD as the informer knows it now. */
export type CrdState =
  /** Not listed yet, and no list has failed: nothing to decide yet (not ready). */
  | { kind: 'pending' }
  /** The list failed (403, 5xx, no answer) before it ever succeeded. */
  | { kind: 'unreadable'; error: Error }
  /** Listed: the object, or undefined when there is none of that name. */
  | { kind: 'listed'; object: KubeObject | undefined };

/** What requests are judged with. */
export interface SchemaReading {
  /** The compiled CRD; undefined for the built-in schema. */
  schema: CompiledSchema | undefined;
  source: SchemaSource;
  /** For the snapshot's sources and the logs. */
  description: string;
  /** Changes exactly when the schema in use changes. */
  fingerprint: string;
  /** The operator release the schema is that of, when recognised (its defaults then apply). */
  release?: string;
}

/** Why the CRD in the cluster is not what requests are judged with. */
export interface SchemaProblem {
  /** Identifies the input the problem is about, so that it is reported once. */
  input: string;
  detail: string;
}

const BUILTIN: SchemaReading = {
  schema: undefined,
  source: 'builtin',
  description: 'built-in schema (operator v2.0.1)',
  fingerprint: 'builtin',
};

/** What identifies a version of the CRD's spec: its generation (status updates do not change it). */
function versionOf(object: KubeObject): string {
  const { uid, generation, resourceVersion } = object.metadata;
  return typeof generation === 'number'
    ? `${String(uid)}/${generation}`
    : `${String(uid)}@${resourceVersion ?? ''}`;
}

export class LiveSchema {
  readonly #shipped: readonly CompiledSchema[];
  /** The last CRD that compiled. */
  #good: { schema: CompiledSchema; version: string } | undefined;
  /** The outcome for the last CRD version seen, so that a version is compiled once. */
  #last: { version: string; outcome: CompiledSchema | CrdSchemaError } | undefined;

  constructor(shipped: readonly CompiledSchema[]) {
    this.#shipped = shipped;
  }

  /** What to judge with now, and what is wrong with the cluster's CRD; undefined while pending. */
  read(state: CrdState): { reading: SchemaReading; problem?: SchemaProblem } | undefined {
    if (state.kind === 'pending') return undefined;
    if (state.kind === 'unreadable') {
      return this.#fallback({ input: 'unreadable', detail: `cannot be read: ${state.error.message}` });
    }
    const object = state.object;
    if (object === undefined) {
      return this.#fallback({
        input: 'missing',
        detail: 'not found: the postgres-operator registers it when it starts',
      });
    }
    const version = versionOf(object);
    if (this.#last?.version !== version) {
      let outcome: CompiledSchema | CrdSchemaError;
      try {
        outcome = compileCrdObject(object, CRD_SOURCE, this.#shipped);
      } catch (error) {
        if (!(error instanceof CrdSchemaError)) throw error;
        outcome = error;
      }
      this.#last = { version, outcome };
    }
    const outcome = this.#last.outcome;
    if (outcome instanceof CrdSchemaError) {
      const reason = outcome.message.startsWith(`${CRD_SOURCE}: `)
        ? outcome.message.slice(CRD_SOURCE.length + 2)
        : outcome.message;
      return this.#fallback({ input: version, detail: `cannot be used: ${reason}` });
    }
    this.#good = { schema: outcome, version };
    return { reading: this.#reading() };
  }

  /** The last good schema, else the built-in one. */
  #fallback(problem: SchemaProblem): { reading: SchemaReading; problem: SchemaProblem } {
    return { reading: this.#reading(), problem };
  }

  #reading(): SchemaReading {
    const good = this.#good;
    if (good === undefined) return BUILTIN;
    const release = good.schema.operatorVersion;
    return {
      schema: good.schema,
      source: 'cluster',
      description: good.schema.origin,
      fingerprint: `cluster ${good.version}`,
      ...(release !== undefined && { release }),
    };
  }
}
