/** @acid-guard/validator — the public API. Only re-exports: everything else is internal. */
export {
  type ClusterPolicy,
  ClusterPolicyError,
  clusterTeamDirectory,
  configRefFromSelection,
  DEFAULT_OPERATOR_DEPLOYMENT,
  type OperatorSelection,
  operatorPolicyFromObjects,
  postgresTeamSourceOf,
  readClusterPolicy,
  teamNamespaceFilter,
} from './cluster/cluster-policy.js';
export { type ClusterSchema, readClusterSchema } from './cluster/cluster-schema.js';
export {
  asObject,
  KubeApiError,
  KubeClient,
  type KubeClientOptions,
  KubeConfigError,
  type ListOptions,
  type ObjectList,
  type WatchHandle,
  type WatchHandlers,
  type WatchOptions,
} from './cluster/kube-client.js';
export {
  applyOperatorDeployment,
  configRefOf,
  configTypeOf,
  describeRef,
  type OperatorConfigRef,
  type OperatorDeployment,
  operatorDeploymentOf,
} from './cluster/operator-deployment.js';
export {
  apiVersionOf,
  CONFIG_MAPS,
  CUSTOM_RESOURCE_DEFINITIONS,
  collectionPath,
  DEPLOYMENTS,
  describeObject,
  type KubeObject,
  type ObjectMeta,
  OPERATOR_CONFIGURATIONS,
  objectKey,
  POSTGRES_TEAMS,
  POSTGRESQL_CRD_NAME,
  POSTGRESQLS,
  type ResourceType,
} from './cluster/resource-types.js';
export type { Finding, Location, Severity } from './finding.js';
export type { Postgresql } from './generated/postgresql.types.js';
export type { PostgresTeam } from './generated/postgresteam.types.js';
export { type LintFinding, type LintOptions, type LintResult, lintText } from './lint-text.js';
export {
  type DefaultsPolicy,
  DefaultsPolicyError,
  type DefaultsPolicyProblem,
  defaultsPolicyFromObject,
  loadDefaultsPolicy,
} from './mutate/defaults-policy.js';
export type { JsonPatchOperation } from './mutate/json-patch.js';
export { type AppliedChange, type MutateContext, type MutationResult, mutate } from './mutate/mutate.js';
export { MAX_OBJECT_DEPTH, nestedTooDeep } from './nesting-depth.js';
export { policyFromDocument, policyFromText } from './policy/load-policy.js';
export {
  CONFIGMAP_DEFAULTS,
  OPERATOR_CONFIGURATION_DEFAULTS,
  type OperatorPolicy,
  operatorDefaults,
  POLICY_RELEASES,
  policyWith,
} from './policy/operator-policy.js';
export { PolicyError } from './policy/policy-error.js';
export { buildTeamDirectory, TeamDirectory, teamDirectoryFrom } from './policy/team-directory.js';
export {
  type PostgresTeamSource,
  postgresTeamFromObject,
  postgresTeamsInText,
  readTeamsFile,
  type TeamSource,
} from './policy/teams-file.js';
export { RULES, ruleById } from './rules/catalogue.js';
export type { RuleMeta } from './rules/rule.js';
export type { Operation } from './rules/rule-context.js';
export type { CompiledSchema } from './schema/compiled-schema.js';
export { CrdSchemaError, compileCrdObject, compileCrdSchema } from './schema/crd-schema.js';
export {
  SHIPPED_OPERATOR_VERSIONS,
  schemaForOperatorVersion,
  shippedSchemas,
  UnknownOperatorVersionError,
} from './schema/operator-versions.js';
export { type ValidationContext, type ValidationResult, validate, validateDetailed } from './validate.js';
