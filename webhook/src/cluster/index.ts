/** Reading the policy from the live cluster (`--cluster`). Loaded only in that mode. */
export { Backoff, type BackoffOptions } from './backoff.js';
export {
  ClusterObjectError,
  type ClusterPolicyLogger,
  ClusterPolicySource,
  type ClusterPolicySourceOptions,
} from './cluster-policy-source.js';
export {
  type ClusterSettings,
  DEFAULT_DEFAULTS_KEY,
  type DefaultsConfigMap,
  operatorSelection,
  readsDeployment,
} from './cluster-settings.js';
export { Informer, type InformerOptions, type InformerProblem, type InformerTuning } from './informer.js';
export {
  DEFAULT_DEFAULTS_CONFIGMAP,
  DEFAULT_OPERATOR_CONFIG_NAME,
  READ_VERBS,
  REFERENCE_SETTINGS,
  WATCHED_RESOURCES,
  type WatchedResource,
  watchedResources,
} from './watched-resources.js';
