import type { Postgresql } from '../generated/postgresql.types.js';
import type { OperatorPolicy } from '../policy/operator-policy.js';
import type { CompiledSchema } from '../schema/compiled-schema.js';

/**
 * A manifest as rules see it: the shape of the CRD, but any field may be missing (a rule runs even
 * when the schema found problems; values of the wrong type and unknown fields are already removed).
 */
export type Loose<T> = T extends readonly (infer U)[]
  ? Loose<U>[]
  : T extends object
    ? { [K in keyof T]?: Loose<T[K]> }
    : T;

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

/** Everything a rule may look at. Rules never do I/O. */
export interface RuleContext {
  /** The manifest, nulls pruned and schema problems removed. */
  object: Loose<Postgresql>;
  /** What the request does; a file is judged as a CREATE unless compared with an older version. */
  operation: Operation;
  /** The previous version of the object, for UPDATE. */
  old?: Loose<Postgresql>;
  /** The schema the object was checked against. */
  schema: CompiledSchema;
  /** The operator's configuration (its v2.0.1 defaults unless a configuration was loaded). */
  policy: OperatorPolicy;
  /** The current time, passed in (rules never read the clock): delete protection compares dates. */
  now: Date;
}
