import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  OPERATOR_KEYS,
  parseGoBool,
  parseGoDuration,
  parseGoInteger,
  parseGoMap,
  policyFromConfigMap,
} from '../../packages/validator/src/policy/configmap-policy.js';
import { policyFromDocument, policyFromText } from '../../packages/validator/src/policy/load-policy.js';
import { policyFromOperatorConfiguration } from '../../packages/validator/src/policy/operator-configuration-policy.js';
import {
  CONFIGMAP_DEFAULTS,
  OPERATOR_CONFIGURATION_DEFAULTS,
} from '../../packages/validator/src/policy/operator-policy.js';
import { PolicyError } from '../../packages/validator/src/policy/policy-error.js';
import { POLICY_FIELDS, type PolicyField } from '../../packages/validator/src/policy/policy-fields.js';

const CM = 'operator-configmap.yaml';
const OC = 'operator-configuration.yaml';

const cm = (data: Record<string, unknown>) => policyFromConfigMap(data, CM);
const oc = (configuration: unknown) => policyFromOperatorConfiguration(configuration, OC);

/** The PolicyError a call throws (fails the test when it does not throw one). */
function policyError(run: () => unknown): PolicyError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return error as PolicyError;
  }
  throw new Error('expected a PolicyError, nothing was thrown');
}

// ---------------------------------------------------------------------------------------------------

const REFERENCE = join(import.meta.dirname, '../../../shared/reference');
const haveReference = existsSync(REFERENCE);
if (!haveReference) console.warn(`skipping the reference configuration cases: ${REFERENCE} is absent`);
const reference = (file: string) => readFileSync(join(REFERENCE, file), 'utf8');

describe.skipIf(!haveReference)('the operator v2.0.1 reference configurations', () => {
  it('reads the shipped ConfigMap (manifests/configmap.yaml) with its values that differ from the Go defaults', () => {
    const { policy, warnings } = policyFromText(reference('configmap.yaml'), 'configmap.yaml');
    expect(warnings).toEqual([]);
    expect(policy.path).toBe('configmap');
    expect(policy.source).toBe('configmap.yaml');
    expect(policy.minCpuLimit).toBe('250m');
    expect(policy.minMemoryLimit).toBe('250Mi');
    expect(policy.defaultCpuRequest).toBe('100m');
    expect(policy.defaultMemoryLimit).toBe('500Mi');
    expect(policy.watchedNamespace).toBe('*');
    expect(policy.kubernetesUseConfigmaps).toBe(false);
    expect(policy.enableTeamsApi).toBe(false);
    expect(policy.enableMasterLoadBalancer).toBe(false);
    expect(policy.postgresSuperuserTeams).toEqual(['postgres_superusers']);
    expect(policy.protectedRoleNames).toEqual(['admin', 'cron_admin']);
    expect(policy.maxCpuRequest).toBe(''); // commented out
    expect(policy.operatorNamespace).toBeUndefined(); // no metadata.namespace
    // The Go defaults these differ from:
    expect(CONFIGMAP_DEFAULTS.kubernetesUseConfigmaps).toBe(true);
    expect(CONFIGMAP_DEFAULTS.enableTeamsApi).toBe(true);
    expect(CONFIGMAP_DEFAULTS.minCpuLimit).toBe('');
  });

  it('reads the default OperatorConfiguration: commented keys take their CRD defaults inside existing groups', () => {
    const { policy, warnings } = policyFromText(
      reference('postgresql-operator-default-configuration.yaml'),
      'default-configuration.yaml',
    );
    expect(warnings).toEqual([]);
    expect(policy.path).toBe('operatorconfiguration');
    expect(policy.enablePostgresTeamCrd).toBe(true); // commented → CRD default, teams_api exists
    expect(policy.enableAdminRoleForUsers).toBe(true); // commented → CRD default
    expect(policy.teamAdminRole).toBe('admin');
    expect(policy.enableTeamsApi).toBe(false);
    expect(policy.minCpuLimit).toBe(''); // commented out: off
    expect(policy.defaultCpuRequest).toBe('100m');
    expect(policy.defaultMemoryRequest).toBe('100Mi');
    expect(policy.kubernetesUseConfigmaps).toBe(true);
    expect(policy.watchedNamespace).toBe('');
    expect(policy.connectionPoolerMaxDbConnections).toBe(60); // commented → fall-back
    expect(policy.secretNameTemplate).toBe('{username}.{cluster}.credentials.{tprkind}.{tprgroup}');
    expect(policy.protectedRoleNames).toEqual(['admin', 'cron_admin']);
    expect(CONFIGMAP_DEFAULTS.enablePostgresTeamCrd).toBe(false);
  });

  it('loses the teams_api CRD defaults when the group is removed from the default OperatorConfiguration', () => {
    const text = reference('postgresql-operator-default-configuration.yaml').replace(
      /\n {2}teams_api:\n(?: {4}.*\n)+/,
      '\n',
    );
    const { policy, warnings } = policyFromText(text, 'no-teams.yaml');
    expect(policy.enablePostgresTeamCrd).toBe(false);
    expect(policy.enableAdminRoleForUsers).toBe(false);
    expect(policy.teamAdminRole).toBe('');
    expect(policy.pamRoleName).toBe('zalandos'); // hard-coded fall-back
    expect(policy.protectedRoleNames).toEqual(['admin', 'cron_admin']); // hard-coded fall-back
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^no-teams\.yaml:5:1: configuration\.teams_api: missing, .*enable_postgres_team_crd is false \(not true\).*write "teams_api: \{\}"/,
    );
  });

  it('reads the v1.15.1 ConfigMap, warning about the v1.x keys that v2.0.1 no longer reads', () => {
    const { policy, warnings } = policyFromText(reference('v1.15.1/configmap.yaml'), 'v1.yaml');
    expect(policy.dockerImage).toBe('ghcr.io/zalando/spilo-17:4.0-p3');
    expect(policy.minimalMajorVersion).toBe('13');
    expect(policy.targetMajorVersion).toBe('17');
    expect(policy.enableMaintenanceWindows).toBe(true); // absent in v1.15.1: v2.0.1 default
    expect(warnings).toEqual([
      'v1.yaml:41:3: enable_crd_validation: not read by operator v2.0.1 (a v1.x setting); the operator ignores it, remove it',
      'v1.yaml:45:3: enable_ebs_gp3_migration: not read by operator v2.0.1 (a v1.x setting); the operator ignores it, remove it',
      'v1.yaml:46:3: enable_ebs_gp3_migration_max_size: not read by operator v2.0.1 (a v1.x setting); the operator ignores it, remove it',
    ]);
  });

  it('picks the configuration that the operator Deployment names in a whole install', () => {
    const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: postgres-operator, namespace: operators}
spec:
  template:
    spec:
      containers:
      - name: postgres-operator
        env:
        - name: POSTGRES_OPERATOR_CONFIGURATION_OBJECT
          value: postgresql-operator-default-configuration
`;
    const text = `${reference('configmap.yaml')}\n---\n${deployment}---\n${reference('postgresql-operator-default-configuration.yaml')}`;
    const { policy, warnings } = policyFromText(text, 'install.yaml');
    expect(warnings).toEqual([]);
    expect(policy.path).toBe('operatorconfiguration');
    expect(policy.operatorNamespace).toBe('operators');
  });
});

// ---------------------------------------------------------------------------------------------------

describe("Go's value parsers", () => {
  it('accepts exactly the spellings of strconv.ParseBool', () => {
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect(parseGoBool(t)).toEqual({ value: true });
    for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False'])
      expect(parseGoBool(f)).toEqual({ value: false });
    for (const bad of ['yes', 'on', 'tRUE', ' true', '']) expect(parseGoBool(bad)).toHaveProperty('error');
  });

  it('parses integers like strconv.ParseInt with base 0', () => {
    const value = (text: string, bits: 32 | 64 = 32) => parseGoInteger(text, bits);
    expect(value('-1')).toEqual({ value: -1 });
    expect(value('+3')).toEqual({ value: 3 });
    expect(value('0x1F')).toEqual({ value: 31 });
    expect(value('0o17')).toEqual({ value: 15 });
    expect(value('017')).toEqual({ value: 15 });
    expect(value('0b101')).toEqual({ value: 5 });
    expect(value('1_000')).toEqual({ value: 1000 });
    expect(value('0')).toEqual({ value: 0 });
    expect(value('2147483647')).toEqual({ value: 2147483647 });
    expect(value('-2147483648')).toEqual({ value: -2147483648 });
    expect(value('2147483648')).toEqual({
      error: 'strconv.ParseInt: parsing "2147483648": value out of range',
    });
    for (const bad of ['two', '', '-', '1.5', '0x', '1__0', '_1', '1_', '08', ' 1']) {
      expect(value(bad), bad).toEqual({
        error: `strconv.ParseInt: parsing ${JSON.stringify(bad)}: invalid syntax`,
      });
    }
    expect(parseGoInteger('-1', 32, true)).toEqual({
      error: 'strconv.ParseUint: parsing "-1": invalid syntax',
    });
  });

  it('parses durations like time.ParseDuration', () => {
    expect(parseGoDuration('30m')).toEqual({ value: 1_800_000_000_000n });
    expect(parseGoDuration('1h30m')).toEqual({ value: 5_400_000_000_000n });
    expect(parseGoDuration('1.5s')).toEqual({ value: 1_500_000_000n });
    expect(parseGoDuration('-2ms')).toEqual({ value: -2_000_000n });
    expect(parseGoDuration('0')).toEqual({ value: 0n });
    expect(parseGoDuration('30')).toEqual({ error: 'time: missing unit in duration "30"' });
    expect(parseGoDuration('5x')).toEqual({ error: 'time: unknown unit "x" in duration "5x"' });
    expect(parseGoDuration('abc')).toEqual({ error: 'time: invalid duration "abc"' });
    expect(parseGoDuration('')).toEqual({ error: 'time: invalid duration ""' });
    expect(parseGoDuration('.s')).toEqual({ error: 'time: invalid duration ".s"' });
    expect(parseGoDuration('5constructor')).toEqual({
      error: 'time: unknown unit "constructor" in duration "5constructor"',
    });
  });

  it('reads maps like processField: trimmed pairs, exactly one ":" each, commas inside quotes kept', () => {
    expect(parseGoMap('application:spilo, team:acid')).toEqual({
      value: { application: 'spilo', team: 'acid' },
    });
    expect(parseGoMap(`a:'x,y'`)).toEqual({ value: { a: `'x,y'` } });
    expect(parseGoMap('__proto__:x')).toEqual({ value: JSON.parse('{"__proto__":"x"}') });
    expect(parseGoMap('application')).toEqual({ error: 'invalid map item: "application"' });
    expect(parseGoMap('a:b:c')).toEqual({ error: 'invalid map item: "a:b:c"' });
    expect(parseGoMap(`a:"b`)).toHaveProperty(
      'error',
      expect.stringContaining('unmatched quote starting at position 3'),
    );
  });
});

describe('the key catalogue', () => {
  it('knows every policy knob in the group and with the kind and values of policy-fields.ts', () => {
    const family: Record<string, string[]> = {
      string: ['string'],
      bool: ['bool'],
      int: ['int'],
      list: ['list'],
      quantity: ['quantity'],
    };
    for (const field of Object.values(POLICY_FIELDS) as PolicyField[]) {
      const spec = OPERATOR_KEYS.get(field.key);
      expect(spec, field.key).toBeDefined();
      expect(spec?.group, field.key).toBe(field.group);
      expect(family[field.kind], field.key).toContain(spec?.kind);
      expect(spec?.values, field.key).toEqual(field.values);
    }
  });
});

// ---------------------------------------------------------------------------------------------------

describe('policyFromConfigMap', () => {
  it('gives the ConfigMap-path defaults for missing keys', () => {
    const { policy, warnings } = cm({});
    expect(warnings).toEqual([]);
    expect({ ...policy, source: '' }).toEqual({ ...CONFIGMAP_DEFAULTS, source: '' });
    expect(policy.source).toBe(CM);
  });

  it('reads every value kind', () => {
    const { policy, warnings } = cm({
      enable_sidecars: 'F',
      enable_teams_api: '0',
      enable_password_rotation: 'True',
      min_instances: '2',
      max_instances: '0x5',
      spilo_fsgroup: '103',
      connection_pooler_number_of_instances: '3',
      protected_role_names: 'admin,cron_admin,robot',
      maintenance_windows: 'Sat:22:00-23:59,Sun:00:00-01:00',
      cluster_labels: 'application:spilo,team:acid',
      resync_period: '1h30m',
      min_cpu_limit: '0.5',
      max_memory_request: '4Gi',
      storage_resize_mode: 'mixed',
      watched_namespace: 'databases',
    });
    expect(warnings).toEqual([]);
    expect(policy.enableSidecars).toBe(false);
    expect(policy.enableTeamsApi).toBe(false);
    expect(policy.enablePasswordRotation).toBe(true);
    expect(policy.minInstances).toBe(2);
    expect(policy.maxInstances).toBe(5);
    expect(policy.spiloFsGroup).toBe(103);
    expect(policy.connectionPoolerNumberOfInstances).toBe(3);
    expect(policy.protectedRoleNames).toEqual(['admin', 'cron_admin', 'robot']);
    expect(policy.maintenanceWindows).toEqual(['Sat:22:00-23:59', 'Sun:00:00-01:00']);
    expect(policy.minCpuLimit).toBe('0.5');
    expect(policy.maxMemoryRequest).toBe('4Gi');
    expect(policy.storageResizeMode).toBe('mixed');
    expect(policy.watchedNamespace).toBe('databases');
  });

  it('keeps list items as the operator does (no trimming) and says so', () => {
    const { policy, warnings } = cm({
      protected_role_names: 'admin, cron_admin',
      postgres_superuser_teams: 'a,,b',
    });
    expect(policy.protectedRoleNames).toEqual(['admin', ' cron_admin']);
    expect(policy.postgresSuperuserTeams).toEqual(['a', '', 'b']);
    expect(warnings).toEqual([
      `${CM}: protected_role_names: item " cron_admin" keeps its spaces (the operator splits on "," without trimming); write "admin,cron_admin"`,
      `${CM}: postgres_superuser_teams: "a,,b" has an empty item (the operator keeps it); write "a,b"`,
    ]);
  });

  it('warns when Go reads a leading 0 as octal', () => {
    const { policy, warnings } = cm({ max_instances: '010' });
    expect(policy.maxInstances).toBe(8);
    expect(warnings).toEqual([`${CM}: max_instances: "010" starts with 0, so Go reads it as octal: 8`]);
  });

  it("gives an empty value Go's zero value, not the default, like NewFromMap", () => {
    const { policy, warnings } = cm({
      min_instances: '',
      enable_sidecars: '',
      protected_role_names: '',
      watched_namespace: '',
    });
    expect(policy.minInstances).toBe(0);
    expect(policy.enableSidecars).toBe(true); // a nil *bool: not disabled
    expect(policy.protectedRoleNames).toEqual([]);
    expect(policy.watchedNamespace).toBe('');
    expect(warnings).toEqual([
      `${CM}: min_instances: the operator skips an empty value, so this is 0, not the default -1; remove the key to get the default`,
      `${CM}: protected_role_names: the operator skips an empty value, so this is [], not the default ["admin","cron_admin"]; remove the key to get the default`,
    ]);
  });

  it('warns about unknown keys with "did you mean", and about keys of the other path', () => {
    const { warnings } = cm({
      min_instance: '2',
      Enable_Sidecars: 'true',
      liveness_probe: 'x',
      something_else: 'x',
    });
    expect(warnings).toEqual([
      `${CM}: min_instance: not an operator v2.0.1 setting; the operator ignores it (did you mean "min_instances"?)`,
      `${CM}: Enable_Sidecars: not an operator v2.0.1 setting; the operator ignores it (did you mean "enable_sidecars"?)`,
      `${CM}: liveness_probe: can only be set in an OperatorConfiguration; the operator ignores it in a ConfigMap`,
      `${CM}: something_else: not an operator v2.0.1 setting; the operator ignores it`,
    ]);
  });

  it("repeats the operator's deprecation warnings", () => {
    const { warnings } = cm({ enable_load_balancer: 'true' });
    expect(warnings).toEqual([
      `${CM}: enable_load_balancer: Operator configuration parameter 'enable_load_balancer' is deprecated and takes no effect. Consider using the 'enable_master_load_balancer' or 'enable_replica_load_balancer' instead.`,
    ]);
  });

  describe('refuses what the operator panics on at start', () => {
    it('a bad boolean', () => {
      const error = policyError(() => cm({ enable_sidecars: 'yes' }));
      expect(error.code).toBe('POLICY_INVALID');
      expect(error.path).toBe('enable_sidecars');
      expect(error.message).toBe(
        `${CM}: enable_sidecars: "yes" is not a boolean: the operator panics at start (strconv.ParseBool: parsing "yes": invalid syntax); write "true" or "false"`,
      );
    });

    it('a bad integer', () => {
      const error = policyError(() => cm({ min_instances: 'two' }));
      expect(error.message).toMatch(
        /^operator-configmap\.yaml: min_instances: "two" is not an integer: the operator panics at start \(strconv\.ParseInt: parsing "two": invalid syntax\)/,
      );
      expect(error.hint).toBe('write a whole number, e.g. "-1"');
    });

    it('an integer out of range', () => {
      const error = policyError(() => cm({ max_instances: '3000000000' }));
      expect(error.message).toContain('max_instances: "3000000000" is not an integer in 32-bit range');
    });

    it('a negative number where Go has a uint', () => {
      expect(policyError(() => cm({ workers: '-1' })).message).toContain(
        'workers: "-1" is not a non-negative integer',
      );
    });

    it('a bad duration', () => {
      const error = policyError(() => cm({ resync_period: '30' }));
      expect(error.message).toBe(
        `${CM}: resync_period: "30" is not a duration: the operator panics at start (time: missing unit in duration "30"); write a Go duration such as "30m", "1h30m" or "10s"`,
      );
    });

    it('a bad map', () => {
      expect(policyError(() => cm({ cluster_labels: 'application' })).message).toContain(
        'cluster_labels: "application" is not a map: the operator panics at start (invalid map item: "application")',
      );
    });

    it('a namespaced name without a name', () => {
      expect(policyError(() => cm({ oauth_token_secret_name: 'ops/' })).message).toContain(
        'oauth_token_secret_name: "ops/" has no name after the "/"',
      );
    });

    it('min_instances above max_instances', () => {
      const error = policyError(() => cm({ min_instances: '5', max_instances: '3' }));
      expect(error.message).toBe(
        `${CM}: minimum number of instances 5 is set higher than the maximum number 3: the operator panics at start with this message; make min_instances at most max_instances (-1 turns a limit off)`,
      );
      expect(error.path).toBe('min_instances');
      expect(cm({ min_instances: '5', max_instances: '-1' }).policy.minInstances).toBe(5);
      expect(cm({ min_instances: '3', max_instances: '3' }).policy.maxInstances).toBe(3);
    });

    it('zero workers, too few pooler instances, the pooler user as super user', () => {
      expect(policyError(() => cm({ workers: '0' })).message).toContain(
        'number of workers should be higher than 0',
      );
      expect(policyError(() => cm({ workers: '' })).message).toContain(
        'number of workers should be higher than 0',
      );
      expect(policyError(() => cm({ connection_pooler_number_of_instances: '0' })).message).toContain(
        'number of connection pooler instances should be higher than 1',
      );
      expect(policyError(() => cm({ connection_pooler_number_of_instances: '' })).message).toContain(
        'nil pointer',
      );
      expect(policyError(() => cm({ connection_pooler_user: 'postgres' })).message).toContain(
        'connection pool user is not allowed to be the same as super user, username: postgres',
      );
    });
  });

  describe('refuses values the operator cannot use', () => {
    it('a bad quantity', () => {
      const error = policyError(() => cm({ min_cpu_limit: 'lots' }));
      expect(error.message).toBe(
        `${CM}: min_cpu_limit: "lots" is not a Kubernetes quantity; write CPU as millicores or cores, e.g. "250m" or "1"`,
      );
      expect(policyError(() => cm({ min_memory_limit: '250 Mi' })).hint).toBe(
        'write memory with a unit, e.g. "256Mi" or "1Gi"',
      );
    });

    it('a value outside an enum', () => {
      expect(policyError(() => cm({ storage_resize_mode: 'PVC' })).message).toBe(
        `${CM}: storage_resize_mode: "PVC" is not one of "ebs", "mixed", "pvc", "off"; write one of "ebs", "mixed", "pvc", "off"`,
      );
      expect(policyError(() => cm({ major_version_upgrade_mode: '' })).message).toContain(
        'is not one of "off", "manual", "full"',
      );
      // Not a policy knob: the operator just runs with "" (its default merge), nothing to refuse.
      expect(cm({ node_readiness_label_merge: '' }).warnings).toEqual([]);
      expect(policyError(() => cm({ node_readiness_label_merge: 'XOR' })).message).toContain(
        'is not one of "AND", "OR"',
      );
    });

    it('a value that is not a string (ConfigMap data must be strings)', () => {
      const error = policyError(() => cm({ min_instances: 2 }));
      expect(error.message).toBe(
        `${CM}: min_instances: 2 is an integer, but ConfigMap data values must be strings: the API server rejects the ConfigMap; quote it: min_instances: "2"`,
      );
      expect(policyError(() => cm({ enable_sidecars: true })).message).toContain(
        'enable_sidecars: true is a boolean',
      );
      expect(policyError(() => cm({ protected_role_names: ['admin'] })).hint).toBe(
        'write the value as one string',
      );
    });
  });
});

// ---------------------------------------------------------------------------------------------------

describe('policyFromOperatorConfiguration', () => {
  it('gives the OperatorConfiguration defaults when every group exists', () => {
    const groups = Object.fromEntries(
      [
        'users',
        'major_version_upgrade',
        'kubernetes',
        'postgres_pod_resources',
        'load_balancer',
        'logical_backup',
        'debug',
        'teams_api',
        'connection_pooler',
        'patroni',
      ].map((g) => [g, {}]),
    );
    const { policy, warnings } = oc(groups);
    expect(warnings).toEqual([]);
    expect({ ...policy, source: '' }).toEqual({ ...OPERATOR_CONFIGURATION_DEFAULTS, source: '' });
  });

  it('reads typed values: booleans, integers, lists as lists, maps as maps', () => {
    const { policy, warnings } = oc({
      min_instances: 1,
      max_instances: 4,
      enable_shm_volume: false,
      maintenance_windows: ['Sat:22:00-23:59'],
      kubernetes: {
        enable_sidecars: false,
        spilo_fsgroup: 103,
        cluster_labels: { application: 'spilo' },
        watched_namespace: '*',
      },
      teams_api: { enable_teams_api: true, protected_role_names: ['admin'], team_admin_role: 'boss' },
      postgres_pod_resources: { min_cpu_limit: '250m', min_memory_limit: '250Mi' },
      connection_pooler: { connection_pooler_number_of_instances: 3, connection_pooler_mode: 'session' },
    });
    expect(warnings).toEqual([]);
    expect(policy.minInstances).toBe(1);
    expect(policy.maxInstances).toBe(4);
    expect(policy.enableShmVolume).toBe(false);
    expect(policy.maintenanceWindows).toEqual(['Sat:22:00-23:59']);
    expect(policy.enableSidecars).toBe(false);
    expect(policy.spiloFsGroup).toBe(103);
    expect(policy.watchedNamespace).toBe('*');
    expect(policy.enableTeamsApi).toBe(true);
    expect(policy.protectedRoleNames).toEqual(['admin']);
    expect(policy.teamAdminRole).toBe('boss');
    expect(policy.minCpuLimit).toBe('250m');
    expect(policy.connectionPoolerNumberOfInstances).toBe(3);
    expect(policy.connectionPoolerMode).toBe('session');
  });

  it('applies CRD defaults only inside existing groups, then the hard-coded fall-backs', () => {
    const missing = oc({ docker_image: 'spilo:1' });
    expect(missing.policy.enablePostgresTeamCrd).toBe(false);
    expect(missing.policy.enableAdminRoleForUsers).toBe(false);
    expect(missing.policy.teamAdminRole).toBe('');
    expect(missing.policy.secretNameTemplate).toBe('');
    expect(missing.policy.enableSidecars).toBe(true); // fall-back
    expect(missing.policy.storageResizeMode).toBe('pvc'); // fall-back
    expect(missing.policy.superUsername).toBe('postgres'); // fall-back
    expect(missing.policy.minInstances).toBe(-1); // top-level CRD default: configuration exists
    expect(missing.warnings).toEqual([
      `${OC}: configuration.kubernetes: missing, and the CRD defaults of a group apply only when the group exists, so secret_name_template is "" (not "{username}.{cluster}.credentials.{tprkind}.{tprgroup}"); write "kubernetes: {}" to get the defaults`,
      `${OC}: configuration.teams_api: missing, and the CRD defaults of a group apply only when the group exists, so enable_postgres_team_crd is false (not true), enable_admin_role_for_users is false (not true), team_admin_role is "" (not "admin"); write "teams_api: {}" to get the defaults`,
    ]);

    const present = oc({ teams_api: {} });
    expect(present.policy.enablePostgresTeamCrd).toBe(true);
    expect(present.policy.enableAdminRoleForUsers).toBe(true);
    expect(present.policy.teamAdminRole).toBe('admin');
  });

  it('treats a null group as missing, and a null key as unset (its default applies)', () => {
    const { policy, warnings } = oc({ kubernetes: {}, teams_api: null, users: { super_username: null } });
    expect(policy.enablePostgresTeamCrd).toBe(false);
    expect(policy.superUsername).toBe('postgres');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^operator-configuration\.yaml: configuration\.teams_api: empty \(null\), which the API server drops, and the CRD defaults/,
    );
    expect(oc({ kubernetes: {}, teams_api: {}, timeouts: null }).warnings).toEqual([
      `${OC}: configuration.timeouts: empty (null), which the API server drops`,
    ]);
  });

  it('replaces written empty values where the operator coalesces them, and raises the pooler to 2', () => {
    const { policy, warnings } = oc({
      kubernetes: {},
      users: { super_username: '' },
      teams_api: { protected_role_names: [], team_admin_role: '' },
      connection_pooler: { connection_pooler_number_of_instances: 1 },
    });
    expect(policy.superUsername).toBe('postgres');
    expect(policy.protectedRoleNames).toEqual(['admin', 'cron_admin']);
    expect(policy.teamAdminRole).toBe(''); // no fall-back
    expect(policy.connectionPoolerNumberOfInstances).toBe(2);
    expect(warnings).toEqual([
      `${OC}: configuration.connection_pooler.connection_pooler_number_of_instances: 1 is raised to 2 (the OperatorConfiguration path forces at least 2)`,
    ]);
  });

  it('warns about unknown and misplaced keys, which the API server drops', () => {
    const { policy, warnings } = oc({
      kubernetes: {},
      enable_teams_api: true,
      team_api: {},
      teams_api: { enable_team_api: true },
      enable_crd_validation: true,
      enable_load_balancer: true,
    });
    expect(policy.enableTeamsApi).toBe(false);
    expect(warnings).toEqual([
      `${OC}: configuration.enable_teams_api: belongs under configuration.teams_api; here the API server drops it, so the operator never sees it`,
      `${OC}: configuration.team_api: not an operator v2.0.1 setting; the API server drops it, so the operator never sees it (did you mean "configuration.teams_api"?)`,
      `${OC}: configuration.teams_api.enable_team_api: not an operator v2.0.1 setting; the API server drops it, so the operator never sees it (did you mean "configuration.teams_api.enable_teams_api"?)`,
      `${OC}: configuration.enable_crd_validation: not read by operator v2.0.1 (a v1.x setting); the API server drops it, so the operator never sees it`,
      `${OC}: configuration.enable_load_balancer: exists only in the ConfigMap; the API server drops it, so the operator never sees it`,
    ]);
  });

  it('only warns about min_instances above max_instances (the check is ConfigMap-path only)', () => {
    const { policy, warnings } = oc({ kubernetes: {}, teams_api: {}, min_instances: 5, max_instances: 3 });
    expect(policy.minInstances).toBe(5);
    expect(warnings).toEqual([
      `${OC}: configuration.min_instances: 5 is higher than max_instances 3; the operator checks this only on the ConfigMap path, so here it starts and clamps every cluster to contradictory limits`,
    ]);
  });

  describe('refuses what the API server or the operator refuse', () => {
    it('a value of the wrong type', () => {
      const error = policyError(() => oc({ kubernetes: { enable_sidecars: 'yes' } }));
      expect(error.code).toBe('POLICY_INVALID');
      expect(error.path).toBe('configuration.kubernetes.enable_sidecars');
      expect(error.message).toBe(
        `${OC}: configuration.kubernetes.enable_sidecars: "yes" is not a boolean (the API server rejects the OperatorConfiguration); write true or false, without quotes`,
      );
      expect(policyError(() => oc({ major_version_upgrade: { minimal_major_version: 14 } })).message).toBe(
        `${OC}: configuration.major_version_upgrade.minimal_major_version: 14 is not a string (the API server rejects the OperatorConfiguration); quote it: "14"`,
      );
      expect(policyError(() => oc({ min_instances: '2' })).message).toContain(
        'configuration.min_instances: "2" is not an integer',
      );
      expect(policyError(() => oc({ min_instances: 1.5 })).message).toContain('1.5 is not an integer');
    });

    it('a list or map holding something else than strings', () => {
      const list = policyError(() => oc({ teams_api: { protected_role_names: ['admin', 1] } }));
      expect(list.path).toBe('configuration.teams_api.protected_role_names[1]');
      expect(list.message).toContain('configuration.teams_api.protected_role_names[1]: 1 is not a string');
      expect(
        policyError(() => oc({ teams_api: { protected_role_names: 'admin,cron_admin' } })).message,
      ).toContain('protected_role_names: "admin,cron_admin" is not a list');
      expect(policyError(() => oc({ kubernetes: { cluster_labels: { application: 1 } } })).path).toBe(
        'configuration.kubernetes.cluster_labels.application',
      );
    });

    it('an enum value, a minimum, a CRD pattern', () => {
      expect(policyError(() => oc({ kubernetes: { storage_resize_mode: 'PVC' } })).message).toContain(
        'configuration.kubernetes.storage_resize_mode: "PVC" is not one of "ebs", "mixed", "pvc", "off" (the API server rejects the OperatorConfiguration)',
      );
      expect(policyError(() => oc({ min_instances: -2 })).message).toContain(
        '-2 is less than the minimum -1',
      );
      expect(
        policyError(() => oc({ postgres_pod_resources: { min_memory_limit: '250 Mi' } })).message,
      ).toContain('min_memory_limit: "250 Mi" does not match the CRD pattern');
      expect(policyError(() => oc({ postgres_pod_resources: { min_cpu_limit: '0.5m' } })).hint).toBe(
        'write CPU as millicores or cores, e.g. "250m" or "1"',
      );
      expect(
        policyError(() => oc({ logical_backup: { logical_backup_schedule: 'daily' } })).message,
      ).toContain('logical_backup_schedule: "daily" does not match the CRD pattern');
    });

    it('a bad duration and a negative uint, which the operator cannot decode', () => {
      expect(policyError(() => oc({ resync_period: '30' })).message).toContain(
        'configuration.resync_period: "30" is not a duration: the operator cannot read its configuration (time: missing unit in duration "30")',
      );
      expect(policyError(() => oc({ users: { password_rotation_interval: -1 } })).message).toContain(
        '-1 is negative',
      );
    });

    it('a group that is not a map, a configuration that is not a map', () => {
      expect(policyError(() => oc({ teams_api: true })).message).toContain(
        'configuration.teams_api: true is a boolean, not a map',
      );
      expect(policyError(() => oc(['x'])).message).toContain('configuration: ["x"] is a list, not a map');
    });

    it('the pooler user as super user (importConfigurationFromCRD panics)', () => {
      expect(policyError(() => oc({ users: { super_username: 'pooler' } })).message).toContain(
        'connection pool user is not allowed to be the same as super user, username: pooler',
      );
    });
  });
});

// ---------------------------------------------------------------------------------------------------

describe('policyFromDocument', () => {
  it('reads a ConfigMap from its data, with the operator namespace from its metadata', () => {
    const { policy, warnings } = policyFromDocument(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'postgres-operator', namespace: 'ops' },
        data: { watched_namespace: '*' },
      },
      'cm',
    );
    expect(warnings).toEqual([]);
    expect(policy.path).toBe('configmap');
    expect(policy.watchedNamespace).toBe('*');
    expect(policy.operatorNamespace).toBe('ops');
    expect(
      policyFromDocument({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, 'cm').policy
        .enableTeamsApi,
    ).toBe(true);
  });

  it('reads an OperatorConfiguration from its configuration', () => {
    const { policy } = policyFromDocument(
      {
        apiVersion: 'acid.zalan.do/v1',
        kind: 'OperatorConfiguration',
        metadata: { name: 'c', namespace: 'ops' },
        configuration: { teams_api: {}, kubernetes: {} },
      },
      'oc',
    );
    expect(policy.path).toBe('operatorconfiguration');
    expect(policy.enablePostgresTeamCrd).toBe(true);
    expect(policy.operatorNamespace).toBe('ops');
  });

  it('reads a bare map as ConfigMap data', () => {
    const { policy } = policyFromDocument({ enable_teams_api: 'false' }, 'values');
    expect(policy.path).toBe('configmap');
    expect(policy.enableTeamsApi).toBe(false);
    expect(policy.operatorNamespace).toBeUndefined();
  });

  it('refuses anything else, saying what was expected', () => {
    const expected =
      'expected a ConfigMap, an OperatorConfiguration (acid.zalan.do/v1) or a map of operator settings';
    expect(
      policyError(() => policyFromDocument({ apiVersion: 'apps/v1', kind: 'Deployment' }, 'd.yaml')).message,
    ).toBe(`d.yaml: ${expected}, got kind Deployment`);
    expect(policyError(() => policyFromDocument({ apiVersion: 'v1', data: {} }, 'd.yaml')).message).toBe(
      `d.yaml: ${expected}, got an object without kind`,
    );
    expect(policyError(() => policyFromDocument('text', 'd.yaml')).message).toBe(
      `d.yaml: ${expected}, got a string`,
    );
    expect(
      policyError(() =>
        policyFromDocument(
          { apiVersion: 'cpo.opensource.cybertec.at/v1', kind: 'OperatorConfiguration', configuration: {} },
          'd.yaml',
        ),
      ).message,
    ).toContain(
      `an OperatorConfiguration of "cpo.opensource.cybertec.at/v1" is not the Zalando postgres-operator's`,
    );
    expect(
      policyError(() =>
        policyFromDocument({ apiVersion: 'acid.zalan.do/v1', kind: 'OperatorConfiguration' }, 'd.yaml'),
      ).message,
    ).toContain('has no configuration');
    expect(
      policyError(() => policyFromDocument({ kind: 'ConfigMap', data: ['a'] }, 'd.yaml')).message,
    ).toContain('data: a list is not a map');
  });
});

// ---------------------------------------------------------------------------------------------------

describe('policyFromText', () => {
  it('reports a YAML syntax error with its line and column', () => {
    const error = policyError(() => policyFromText('kind: ConfigMap\ndata:\n  a: [1,\n  b: "x\n', 'cm.yaml'));
    expect(error.location?.line).toBeGreaterThanOrEqual(3);
    expect(error.message).toMatch(/^cm\.yaml:\d+:\d+: YAML syntax error: /);
  });

  it('places value errors at their line and column', () => {
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: postgres-operator\ndata:\n  min_instances: "two"\n';
    const error = policyError(() => policyFromText(text, 'cm.yaml'));
    expect(error.location).toEqual({ line: 6, column: 18 });
    expect(error.message).toMatch(/^cm\.yaml:6:18: min_instances: "two" is not an integer/);
    const unquoted = policyError(() =>
      policyFromText('kind: ConfigMap\ndata:\n  enable_sidecars: yes\n', 'cm.yaml'),
    );
    expect(unquoted.message).toBe(
      'cm.yaml:3:20: enable_sidecars: true is a boolean, but ConfigMap data values must be strings: the API server rejects the ConfigMap; quote it: enable_sidecars: "true"',
    );
    const nested = policyError(() =>
      policyFromText(
        'apiVersion: acid.zalan.do/v1\nkind: OperatorConfiguration\nconfiguration:\n  kubernetes:\n    enable_sidecars: "yes"\n',
        'oc.yaml',
      ),
    );
    expect(nested.message).toMatch(
      /^oc\.yaml:5:22: configuration\.kubernetes\.enable_sidecars: "yes" is not a boolean/,
    );
  });

  it('places warnings at the offending key', () => {
    const { warnings } = policyFromText(
      'kind: ConfigMap\ndata:\n  min_instance: "2"\n  max_instances: "010"\n',
      'cm.yaml',
    );
    expect(warnings).toEqual([
      'cm.yaml:3:3: min_instance: not an operator v2.0.1 setting; the operator ignores it (did you mean "min_instances"?)',
      'cm.yaml:4:18: max_instances: "010" starts with 0, so Go reads it as octal: 8',
    ]);
  });

  it('warns about a repeated key, of which kubectl keeps the last', () => {
    const { policy, warnings } = policyFromText(
      'kind: ConfigMap\ndata:\n  watched_namespace: a\n  watched_namespace: b\n',
      'cm.yaml',
    );
    expect(policy.watchedNamespace).toBe('b');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^cm\.yaml:4:3: duplicate key "watched_namespace"/);
  });

  it('skips ConfigMaps without operator settings and other kinds in a multi-document file', () => {
    const text = `apiVersion: v1
kind: Namespace
metadata: {name: ops}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: pod-env, namespace: ops}
data: {SOME_ENV: x}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: postgres-operator, namespace: ops}
data: {enable_teams_api: "false"}
`;
    const { policy, warnings } = policyFromText(text, 'install.yaml');
    expect(warnings).toEqual([]);
    expect(policy.enableTeamsApi).toBe(false);
    expect(policy.operatorNamespace).toBe('ops');
  });

  it('follows the operator Deployment: its config object, WATCHED_NAMESPACE, CONTROLLER_ID, flags, namespace', () => {
    const text = `apiVersion: v1
kind: ConfigMap
metadata: {name: other-config}
data: {enable_teams_api: "true"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: postgres-operator}
data: {enable_teams_api: "true", enable_database_access: "true", watched_namespace: "*"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: postgres-operator, namespace: databases}
spec:
  template:
    spec:
      containers:
      - name: postgres-operator
        args: ["-noteamsapi", "--nodatabaseaccess=false"]
        env:
        - {name: CONFIG_MAP_NAME, value: postgres-operator}
        - {name: WATCHED_NAMESPACE, value: team-a}
        - {name: CONTROLLER_ID, value: second}
`;
    const { policy, warnings } = policyFromText(text, 'install.yaml');
    expect(policy.enableTeamsApi).toBe(false); // -noteamsapi
    expect(policy.enableDatabaseAccess).toBe(true); // -nodatabaseaccess=false
    expect(policy.watchedNamespace).toBe('team-a');
    expect(policy.controllerIds).toEqual(['second']);
    expect(policy.operatorNamespace).toBe('databases');
    expect(warnings).toEqual([
      'install.yaml:21:9: operator Deployment: WATCHED_NAMESPACE="team-a" overrides watched_namespace "*"',
    ]);
  });

  it('warns when the Deployment names a configuration that is not in the file', () => {
    const text = `kind: Deployment
metadata: {name: postgres-operator}
spec:
  template:
    spec:
      containers:
      - name: operator
        env:
        - {name: POSTGRES_OPERATOR_CONFIGURATION_OBJECT, value: missing-config}
---
kind: ConfigMap
metadata: {name: postgres-operator}
data: {min_instances: "1"}
`;
    const { policy, warnings } = policyFromText(text, 'install.yaml');
    expect(policy.minInstances).toBe(1);
    expect(warnings).toEqual([
      'install.yaml:9:9: the operator Deployment reads OperatorConfiguration "missing-config", which is not in this file; using ConfigMap "postgres-operator" (document 2) instead',
    ]);
  });

  it('reads the items of a kind: List (kubectl get -o yaml)', () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: postgres-operator}
  data:
    min_instances: "x"
`;
    const error = policyError(() => policyFromText(text, 'list.yaml'));
    expect(error.message).toMatch(/^list\.yaml:8:20: min_instances: "x" is not an integer/);
  });

  it('refuses a text without an operator configuration', () => {
    expect(policyError(() => policyFromText('', 'empty.yaml')).message).toContain(
      'empty.yaml: no YAML document',
    );
    expect(
      policyError(() => policyFromText('kind: Namespace\n---\nkind: Service\n', 'two.yaml')).message,
    ).toBe('two.yaml: none of the 2 objects is a ConfigMap or an OperatorConfiguration (acid.zalan.do/v1)');
    expect(policyError(() => policyFromText('kind: Namespace\n', 'one.yaml')).message).toContain(
      'got kind Namespace',
    );
  });
});
