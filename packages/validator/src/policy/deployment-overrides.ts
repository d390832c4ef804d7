import { parseGoBool } from './configmap-policy.js';
import type { OperatorPolicy } from './operator-policy.js';

/** What of the operator Deployment can override its configuration: its container's env and args. */
export interface DeploymentSettings {
  env: ReadonlyMap<string, string>;
  args: readonly string[];
}

/**
 * Applies the operator Deployment's overrides to a policy read from its configuration object, as the
 * operator does (controller.go: modifyConfigFromEnvironment, and its command-line flags):
 * WATCHED_NAMESPACE, CONTROLLER_ID, and the Go flags -noteamsapi / -nodatabaseaccess (also with two
 * dashes or `=true`). Returns what is worth a warning: WATCHED_NAMESPACE replacing another value.
 */
export function applyDeploymentOverrides(policy: OperatorPolicy, deployment: DeploymentSettings): string[] {
  const notes: string[] = [];
  const watched = deployment.env.get('WATCHED_NAMESPACE');
  if (watched) {
    if (policy.watchedNamespace !== '' && policy.watchedNamespace !== watched) {
      notes.push(
        `WATCHED_NAMESPACE=${JSON.stringify(watched)} overrides watched_namespace ${JSON.stringify(policy.watchedNamespace)}`,
      );
    }
    policy.watchedNamespace = watched;
  }
  const controllerId = deployment.env.get('CONTROLLER_ID');
  if (controllerId) policy.controllerIds = [controllerId];
  for (const arg of deployment.args) {
    const flag = /^--?(noteamsapi|nodatabaseaccess)(?:=(.*))?$/.exec(arg);
    if (!flag) continue;
    const on = flag[2] === undefined ? { value: true } : parseGoBool(flag[2]);
    if (!('value' in on) || !on.value) continue;
    if (flag[1] === 'noteamsapi') policy.enableTeamsApi = false;
    else policy.enableDatabaseAccess = false;
  }
  return notes;
}
