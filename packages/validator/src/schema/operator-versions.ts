import { RESOURCES } from '../generated/resources.js';
import { builtinSchema, type CompiledSchema } from './compiled-schema.js';

/** The operator release the built-in schema and policy defaults describe. */
export const BUILTIN_OPERATOR_VERSION: string = RESOURCES.postgresql.operatorVersion;

/**
 * The operator releases whose `postgresql` schema ships with the package (`--operator-version`), newest
 * first. The built-in one is always loaded; an earlier one is loaded, precompiled, only when asked for.
 */
const LOADERS: Readonly<Record<string, () => Promise<CompiledSchema>>> = {
  [BUILTIN_OPERATOR_VERSION]: async () => builtinSchema(),
  [RESOURCES['postgresql-v1.15.1'].operatorVersion]: async () =>
    (await import('./schema-v1.15.1.js')).schemaV1_15_1(),
};

export const SHIPPED_OPERATOR_VERSIONS: readonly string[] = Object.keys(LOADERS);

/** An operator version we ship no schema for. */
export class UnknownOperatorVersionError extends Error {
  constructor(readonly version: string) {
    super(
      `no schema ships for operator version ${JSON.stringify(version)}: shipped are ${SHIPPED_OPERATOR_VERSIONS.join(', ')}; for another release give its CRD with --crd (kubectl get crd postgresqls.acid.zalan.do -o yaml)`,
    );
    this.name = 'UnknownOperatorVersionError';
  }
}

/** `1.15.1` or `v1.15.1` → `1.15.1` when it names a shipped release; undefined otherwise. */
export function shippedOperatorVersion(version: string): string | undefined {
  const bare = version.trim().replace(/^v/, '');
  return Object.hasOwn(LOADERS, bare) ? bare : undefined;
}

/** The shipped, precompiled schema of an operator release; `UnknownOperatorVersionError` for others. */
export async function schemaForOperatorVersion(version: string): Promise<CompiledSchema> {
  const shipped = shippedOperatorVersion(version);
  const load = shipped === undefined ? undefined : LOADERS[shipped];
  if (load === undefined) throw new UnknownOperatorVersionError(version);
  return load();
}

/** Every shipped schema, loaded (a CRD equal to one of them needs no compiling). */
export async function shippedSchemas(): Promise<CompiledSchema[]> {
  return Promise.all(Object.values(LOADERS).map((load) => load()));
}
