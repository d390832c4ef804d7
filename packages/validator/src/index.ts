/** @acid-guard/validator — the public API. Only re-exports: everything else is internal. */
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
export { policyFromDocument, policyFromText } from './policy/load-policy.js';
export {
  CONFIGMAP_DEFAULTS,
  OPERATOR_CONFIGURATION_DEFAULTS,
  type OperatorPolicy,
  policyWith,
} from './policy/operator-policy.js';
export { PolicyError } from './policy/policy-error.js';
export { buildTeamDirectory, TeamDirectory, teamDirectoryFrom } from './policy/team-directory.js';
export {
  postgresTeamFromObject,
  postgresTeamsInText,
  readTeamsFile,
  type TeamSource,
} from './policy/teams-file.js';
export { RULES, ruleById } from './rules/catalogue.js';
export type { RuleMeta } from './rules/rule.js';
export type { Operation } from './rules/rule-context.js';
export { type ValidationContext, type ValidationResult, validate, validateDetailed } from './validate.js';
