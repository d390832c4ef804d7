/**
 * The `postgresql` schema a cluster really runs: its CRD `postgresqls.acid.zalan.do`, read once
 * (`acid-guard audit`) and compiled with the code `--crd FILE` uses. A CRD the caller may not read, that
 * is missing or that cannot serve as a schema is not a failure: the caller judges with the built-in
 * schema and says why.
 */
import type { CompiledSchema } from '../schema/compiled-schema.js';
import { CrdSchemaError, compileCrdObject } from '../schema/crd-schema.js';
import { KubeApiError, type KubeClient } from './kube-client.js';
import { CUSTOM_RESOURCE_DEFINITIONS, POSTGRESQL_CRD_NAME } from './resource-types.js';

/** How schemas compiled from the cluster's CRD name it (`CRD postgresqls.acid.zalan.do of the cluster`). */
export const CLUSTER_CRD_SOURCE = `${POSTGRESQL_CRD_NAME} of the cluster`;

/** The cluster's schema, or why there is none to use. */
export type ClusterSchema = { schema: CompiledSchema } | { problem: string };

/**
 * Reads and compiles the cluster's `postgresql` CRD. `shipped` are the precompiled schemas a CRD equal
 * to one of them is judged with. An answer of the API server that refuses (403), or a CRD that is
 * missing or cannot be compiled, comes back as a problem in one line; a request that got no answer at
 * all throws its KubeApiError (nothing else would work either).
 */
export async function readClusterSchema(
  client: KubeClient,
  shipped: readonly CompiledSchema[],
): Promise<ClusterSchema> {
  let items: unknown[];
  try {
    items = (await client.list(CUSTOM_RESOURCE_DEFINITIONS, { name: POSTGRESQL_CRD_NAME })).items;
  } catch (error) {
    if (error instanceof KubeApiError && error.status !== undefined) return { problem: error.message };
    throw error;
  }
  const crd = items[0];
  if (crd === undefined) {
    return {
      problem: `CustomResourceDefinition ${POSTGRESQL_CRD_NAME} not found: the postgres-operator registers it when it starts`,
    };
  }
  try {
    return { schema: compileCrdObject(crd, CLUSTER_CRD_SOURCE, shipped) };
  } catch (error) {
    if (error instanceof CrdSchemaError) return { problem: error.message };
    throw error;
  }
}
