/**
 * What the webhook reads from the cluster when it runs with `--cluster`: where the operator and its
 * configuration are, which namespaces' PostgresTeam objects count, where the defaults policy is.
 * Pure data (config.ts builds it from flags); nothing here talks to a cluster.
 */
import { DEFAULT_OPERATOR_DEPLOYMENT, type OperatorSelection } from '@acid-guard/validator';

/** The data key of the defaults ConfigMap that holds the DefaultsPolicy, by default. */
export const DEFAULT_DEFAULTS_KEY = 'defaults.yaml';

export interface DefaultsConfigMap {
  /** Its namespace; the webhook's own (POD_NAMESPACE, else the service account's) when undefined. */
  namespace?: string;
  name: string;
  /** The data key holding the DefaultsPolicy YAML. */
  key: string;
}

export interface ClusterSettings {
  /** A kubeconfig file; the in-cluster service account when undefined. */
  kubeconfig?: string;
  context?: string;
  /** The namespace the postgres-operator runs in. */
  operatorNamespace: string;
  /** Its Deployment, whose env names its configuration (unless a name below is given). */
  operatorDeployment?: string;
  /** Its ConfigMap, named directly: no Deployment is read. */
  operatorConfigMap?: string;
  /** Its OperatorConfiguration, named directly: no Deployment is read. */
  operatorConfiguration?: string;
  /** Namespaces whose PostgresTeam objects are watched; empty = every namespace. */
  teamsNamespaces: string[];
  /** The platform team's defaults policy for /mutate. */
  defaults?: DefaultsConfigMap;
}

/** Whether the configuration is found through the operator's Deployment. */
export function readsDeployment(settings: ClusterSettings): boolean {
  return settings.operatorConfigMap === undefined && settings.operatorConfiguration === undefined;
}

/** The settings as the shared cluster code takes them. */
export function operatorSelection(settings: ClusterSettings): OperatorSelection {
  if (!readsDeployment(settings)) {
    return {
      namespace: settings.operatorNamespace,
      ...(settings.operatorConfigMap !== undefined && { configMap: settings.operatorConfigMap }),
      ...(settings.operatorConfiguration !== undefined && {
        operatorConfiguration: settings.operatorConfiguration,
      }),
    };
  }
  return {
    namespace: settings.operatorNamespace,
    deployment: settings.operatorDeployment ?? DEFAULT_OPERATOR_DEPLOYMENT,
  };
}
