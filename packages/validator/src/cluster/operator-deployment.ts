/**
 * What the postgres-operator's Deployment says about its configuration: which object it reads
 * (`CONFIG_MAP_NAME` or `POSTGRES_OPERATOR_CONFIGURATION_OBJECT`) and the environment and flags that
 * override it (`WATCHED_NAMESPACE`, `CONTROLLER_ID`, `-noteamsapi`, `-nodatabaseaccess`), as
 * controller.go applies them. Pure: the Deployment arrives as read from the API server.
 */
import { applyDeploymentOverrides } from '../policy/deployment-overrides.js';
import type { OperatorPolicy } from '../policy/operator-policy.js';
import { CONFIG_MAPS, describeObject, OPERATOR_CONFIGURATIONS } from './resource-types.js';

export const CONFIG_MAP_ENV = 'CONFIG_MAP_NAME';
export const OPERATOR_CONFIGURATION_ENV = 'POSTGRES_OPERATOR_CONFIGURATION_OBJECT';
const CONFIG_ENV = [OPERATOR_CONFIGURATION_ENV, CONFIG_MAP_ENV];
const OVERRIDE_ENV = ['WATCHED_NAMESPACE', 'CONTROLLER_ID'];

/** The operator container of a Deployment. */
export interface OperatorDeployment {
  namespace: string;
  name: string;
  container: string;
  /** Its env values, `fieldRef: metadata.namespace` resolved to the Deployment's namespace. */
  env: ReadonlyMap<string, string>;
  /** Env names that matter here but are set through valueFrom that cannot be resolved (a Secret, a ConfigMap). */
  indirect: readonly string[];
  /** command and args. */
  args: readonly string[];
}

/** The object the operator reads its configuration from. */
export interface OperatorConfigRef {
  kind: 'ConfigMap' | 'OperatorConfiguration';
  namespace: string;
  name: string;
  /** How it was found: `env CONFIG_MAP_NAME of Deployment ns/name`, `--operator-config-name`. */
  via: string;
}

type Json = Record<string, unknown>;

function isMap(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The operator container of a Deployment: the first container that sets CONFIG_MAP_NAME or
 * POSTGRES_OPERATOR_CONFIGURATION_OBJECT. Undefined for any other Deployment.
 */
export function operatorDeploymentOf(value: unknown): OperatorDeployment | undefined {
  if (!isMap(value) || !isMap(value.metadata) || typeof value.metadata.name !== 'string') return undefined;
  const namespace = typeof value.metadata.namespace === 'string' ? value.metadata.namespace : '';
  const template = isMap(value.spec) ? value.spec.template : undefined;
  const containers = isMap(template) && isMap(template.spec) ? template.spec.containers : undefined;
  if (!Array.isArray(containers)) return undefined;
  for (const container of containers) {
    if (!isMap(container) || !Array.isArray(container.env)) continue;
    const env = new Map<string, string>();
    const indirect: string[] = [];
    for (const variable of container.env) {
      if (!isMap(variable) || typeof variable.name !== 'string') continue;
      if (typeof variable.value === 'string') {
        env.set(variable.name, variable.value);
        continue;
      }
      const from = variable.valueFrom;
      const fieldPath = isMap(from) && isMap(from.fieldRef) ? from.fieldRef.fieldPath : undefined;
      if (fieldPath === 'metadata.namespace') env.set(variable.name, namespace);
      else if (from !== undefined && [...CONFIG_ENV, ...OVERRIDE_ENV].includes(variable.name)) {
        indirect.push(variable.name);
      }
    }
    if (!CONFIG_ENV.some((name) => env.has(name) || indirect.includes(name))) continue;
    const args = [container.command, container.args].flatMap((list) =>
      Array.isArray(list) ? list.filter((arg): arg is string => typeof arg === 'string') : [],
    );
    return {
      namespace,
      name: value.metadata.name,
      container: typeof container.name === 'string' ? container.name : '',
      env,
      indirect,
      args,
    };
  }
  return undefined;
}

/**
 * The configuration object the Deployment's env names: the OperatorConfiguration wins over the
 * ConfigMap, as in the operator; `CONFIG_MAP_NAME` may be `namespace/name`, else it is in the operator's
 * namespace. A `{ problem }` when the env does not say (unset, or set through valueFrom).
 */
export function configRefOf(deployment: OperatorDeployment): OperatorConfigRef | { problem: string } {
  const where = `Deployment ${deployment.namespace}/${deployment.name}`;
  for (const name of CONFIG_ENV) {
    if (deployment.indirect.includes(name) && !deployment.env.has(name)) {
      return {
        problem: `${where} sets ${name} through valueFrom, which acid-guard does not resolve; name the configuration with --operator-config-name or --operator-configuration-name`,
      };
    }
  }
  const configuration = deployment.env.get(OPERATOR_CONFIGURATION_ENV);
  if (configuration) {
    return {
      kind: 'OperatorConfiguration',
      namespace: deployment.namespace,
      name: configuration,
      via: `env ${OPERATOR_CONFIGURATION_ENV} of ${where}`,
    };
  }
  const configMap = deployment.env.get(CONFIG_MAP_ENV);
  if (configMap) {
    const slash = configMap.indexOf('/');
    return {
      kind: 'ConfigMap',
      namespace: slash < 0 ? deployment.namespace : configMap.slice(0, slash),
      name: slash < 0 ? configMap : configMap.slice(slash + 1),
      via: `env ${CONFIG_MAP_ENV} of ${where}`,
    };
  }
  return { problem: `${where} sets neither ${CONFIG_MAP_ENV} nor ${OPERATOR_CONFIGURATION_ENV}` };
}

/** The resource type of a configuration reference. */
export function configTypeOf(ref: Pick<OperatorConfigRef, 'kind'>) {
  return ref.kind === 'ConfigMap' ? CONFIG_MAPS : OPERATOR_CONFIGURATIONS;
}

export function describeRef(ref: OperatorConfigRef): string {
  return describeObject(ref.kind, ref.namespace, ref.name);
}

/**
 * Applies what the Deployment overrides (controller.go: modifyConfigFromEnvironment and the flags) to
 * a policy read from its configuration object; returns warnings.
 */
export function applyOperatorDeployment(policy: OperatorPolicy, deployment: OperatorDeployment): string[] {
  const where = `Deployment ${deployment.namespace}/${deployment.name}`;
  const warnings: string[] = [];
  for (const name of deployment.indirect) {
    if (OVERRIDE_ENV.includes(name)) {
      warnings.push(
        `${where}: ${name} is set through valueFrom, which acid-guard does not resolve; its value is not taken into account`,
      );
    }
  }
  for (const note of applyDeploymentOverrides(policy, deployment)) warnings.push(`${where}: ${note}`);
  policy.operatorNamespace = deployment.namespace;
  return warnings;
}
