import { ADDITIONAL_VOLUMES_RULES } from './additional-volumes.js';
import { CLONE_RULES } from './clone.js';
import { CLUSTER_NAME_RULES } from './cluster-name.js';
import { CONTAINERS_RULES } from './containers.js';
import { DATABASES_RULES } from './databases.js';
import { DELETE_RULES } from './delete-protection.js';
import { DOCUMENT_RULES } from './document.js';
import { ENV_RULES } from './env.js';
import { INSTANCES_RULES } from './instances.js';
import { LOGICAL_BACKUP_RULES } from './logical-backup.js';
import { MAINTENANCE_RULES } from './maintenance.js';
import { PARAMETERS_RULES } from './parameters.js';
import { PATRONI_RULES } from './patroni.js';
import { POOLER_RULES } from './pooler.js';
import { POSTGRES_PARAMETERS_RULES } from './postgres-parameters.js';
import { RESOURCES_RULES } from './resources.js';
import type { Rule, RuleMeta } from './rule.js';
import { SCHEDULING_RULES } from './scheduling.js';
import { SCHEMA_RULES } from './schema.js';
import { SCOPE_RULES } from './scope.js';
import { SERVICES_RULES } from './services.js';
import { STANDBY_RULES } from './standby.js';
import { STREAMS_RULES } from './streams.js';
import { unknownSuppressedRule } from './suppression.js';
import { TEAM_RULES } from './team.js';
import { TEAM_MEMBER_RULES } from './team-members.js';
import { TLS_RULES } from './tls.js';
import { UPDATE_RULES } from './update.js';
import { USERS_RULES } from './users.js';
import { VERSION_RULES } from './version.js';
import { VOLUME_RULES } from './volume.js';
import { YAML_RULES } from './yaml.js';

/** Rules with a check function, run on every `postgresql` object. */
export const CHECK_RULES: readonly Rule[] = [
  ...CLUSTER_NAME_RULES,
  ...TEAM_RULES,
  ...TEAM_MEMBER_RULES,
  ...USERS_RULES,
  ...DATABASES_RULES,
  ...POOLER_RULES,
  ...STREAMS_RULES,
  ...SCOPE_RULES,
  ...RESOURCES_RULES,
  ...INSTANCES_RULES,
  ...VOLUME_RULES,
  ...CONTAINERS_RULES,
  ...ADDITIONAL_VOLUMES_RULES,
  ...TLS_RULES,
  ...ENV_RULES,
  ...SERVICES_RULES,
  ...SCHEDULING_RULES,
  ...MAINTENANCE_RULES,
  ...LOGICAL_BACKUP_RULES,
  ...PARAMETERS_RULES,
  ...POSTGRES_PARAMETERS_RULES,
  ...PATRONI_RULES,
  ...CLONE_RULES,
  ...STANDBY_RULES,
  ...VERSION_RULES,
  ...UPDATE_RULES,
  ...DELETE_RULES,
];

/** Every rule: those the engine emits while reading and schema-checking, then the checks. */
export const RULES: readonly RuleMeta[] = [
  ...YAML_RULES,
  ...DOCUMENT_RULES,
  ...SCHEMA_RULES,
  ...CHECK_RULES,
  unknownSuppressedRule,
];

const BY_ID = new Map(RULES.map((rule) => [rule.id, rule]));

export function ruleById(id: string): RuleMeta | undefined {
  return BY_ID.get(id);
}
