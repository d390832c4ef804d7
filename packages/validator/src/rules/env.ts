import { child, index } from '../field-path.js';
import type { Postgresql } from '../generated/postgresql.types.js';
import type { OperatorPolicy } from '../policy/operator-policy.js';
import type { Rule } from './rule.js';
import type { Loose } from './rule-context.js';

/**
 * Rules about spec.env (operator-behaviour.md b.17). The operator appends spec.env after its own
 * variables, de-duplicating case-insensitively with "first wins"; the CLONE_* and STANDBY_* variables
 * it derives from spec.clone / spec.standby come after spec.env and are not de-duplicated.
 */

/** Variables the operator sets before spec.env; undefined = always, else when it sets them. */
const OPERATOR_ENV: Readonly<Record<string, string | undefined>> = {
  SCOPE: undefined,
  PGROOT: undefined,
  POD_IP: undefined,
  POD_NAMESPACE: undefined,
  PGUSER_SUPERUSER: undefined,
  KUBERNETES_SCOPE_LABEL: undefined,
  KUBERNETES_ROLE_LABEL: undefined,
  PGPASSWORD_SUPERUSER: undefined,
  PGUSER_STANDBY: undefined,
  PGPASSWORD_STANDBY: undefined,
  PAM_OAUTH2: undefined,
  HUMAN_ROLE: undefined,
  ENABLE_WAL_PATH_COMPAT: 'with enable_spilo_wal_path_compat',
  PGVERSION: 'with enable_pg_version_env_var',
  KUBERNETES_LABELS: undefined,
  SPILO_CONFIGURATION: undefined,
  DCS_ENABLE_KUBERNETES_API: 'when Patroni uses the Kubernetes API (no etcd_host)',
  KUBERNETES_BOOTSTRAP_LABELS: 'with pod disruption budgets and the Kubernetes API as DCS',
  ETCD_HOST: 'when etcd_host is configured',
  KUBERNETES_USE_CONFIGMAPS: 'with kubernetes_use_configmaps',
};

/** The condition under which the operator sets a variable; undefined when it is not set (or not the operator's). */
function operatorSets(name: string, policy: OperatorPolicy): string | undefined {
  const upper = name.toUpperCase();
  if (!Object.hasOwn(OPERATOR_ENV, upper)) return undefined;
  if (upper === 'KUBERNETES_USE_CONFIGMAPS' && !policy.kubernetesUseConfigmaps) return undefined;
  return OPERATOR_ENV[upper] ?? 'always';
}

function* envNames(object: Loose<Postgresql>): Iterable<{ i: number; name: string; path: string }> {
  for (const [i, env] of (object.spec?.env ?? []).entries()) {
    if (typeof env?.name === 'string') yield { i, name: env.name, path: child(index('spec.env', i), 'name') };
  }
}

const reservedName: Rule = {
  id: 'env/reserved-name',
  severity: 'warning',
  summary: 'A spec.env variable the operator sets itself (SCOPE, PGROOT, PGVERSION, SPILO_CONFIGURATION, …).',
  why: 'The operator puts its own variables first and drops later ones of the same name, compared case-insensitively: the manifest cannot override them and the entry is silently ignored.',
  bad: 'spec:\n  env:\n    - name: PGVERSION\n      value: "16"\n',
  good: 'spec:\n  env:\n    - name: ALLOW_NOSSL\n      value: "true"\n',
  *check(context) {
    for (const { name, path } of envNames(context.object)) {
      const when = operatorSets(name, context.policy);
      if (when === undefined) continue;
      yield {
        path,
        message: `the operator sets ${name.toUpperCase()} itself (${when}) before spec.env, so this entry is ignored`,
        hint:
          name.toUpperCase() === 'PGVERSION'
            ? 'remove it; the version comes from spec.postgresql.version'
            : 'remove it; change the matching manifest field or operator setting instead',
      };
    }
  },
};

const cloneOrStandbyName: Rule = {
  id: 'env/clone-standby-duplicate',
  severity: 'warning',
  summary:
    'A CLONE_* variable with spec.clone, or a STANDBY_* variable with spec.standby, set in spec.env as well.',
  why: "The operator appends the CLONE_*/STANDBY_* variables it derives from those sections after spec.env without de-duplication: the container gets the name twice and the later one (the operator's) wins.",
  bad: 'spec:\n  clone:\n    cluster: acid-source\n  env:\n    - name: CLONE_METHOD\n      value: CLONE_WITH_BASEBACKUP\n',
  good: 'spec:\n  clone:\n    cluster: acid-source\n',
  *check(context) {
    const spec = context.object.spec;
    const prefixes: { prefix: string; section: string }[] = [];
    if (spec?.clone?.cluster) prefixes.push({ prefix: 'CLONE_', section: 'spec.clone' });
    if (spec?.standby !== undefined) prefixes.push({ prefix: 'STANDBY_', section: 'spec.standby' });
    for (const { name, path } of envNames(context.object)) {
      const match = prefixes.find(({ prefix }) => name.startsWith(prefix));
      if (match === undefined) continue;
      yield {
        path,
        message: `the operator appends its own ${match.prefix}* variables for ${match.section} after spec.env without removing duplicates: ${name} may appear twice, and the operator's value wins`,
        hint: `remove ${name} from spec.env and set it through ${match.section}`,
      };
    }
  },
};

const duplicateName: Rule = {
  id: 'env/duplicate-name',
  severity: 'warning',
  summary: 'The same variable name twice in spec.env (compared case-insensitively).',
  why: 'The operator keeps the first entry of a name, in any case, and silently drops the later ones.',
  bad: 'spec:\n  env:\n    - name: ALLOW_NOSSL\n      value: "true"\n    - name: allow_nossl\n      value: "false"\n',
  good: 'spec:\n  env:\n    - name: ALLOW_NOSSL\n      value: "true"\n',
  *check(context) {
    const firsts = new Map<string, number>();
    for (const { i, name, path } of envNames(context.object)) {
      if (operatorSets(name, context.policy) !== undefined) continue; // env/reserved-name says it
      const key = name.toUpperCase();
      const first = firsts.get(key);
      if (first === undefined) {
        firsts.set(key, i);
        continue;
      }
      yield {
        path,
        message: `${name} is already defined by spec.env[${first}]: the operator keeps the first and drops this one`,
        hint: 'keep one entry per variable name',
      };
    }
  },
};

export const ENV_RULES: readonly Rule[] = [reservedName, cloneOrStandbyName, duplicateName];
