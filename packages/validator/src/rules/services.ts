import type { Postgresql } from '../generated/postgresql.types.js';
import type { Rule } from './rule.js';
import type { Loose } from './rule-context.js';

/** Rules about node ports and the shm volume (operator-behaviour.md b.17). */

/** Kubernetes' default --service-node-port-range. */
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

const NODE_PORTS = [
  { port: 'masterNodePort', flag: 'enableMasterNodePort' },
  { port: 'replicaNodePort', flag: 'enableReplicaNodePort' },
  { port: 'masterPoolerNodePort', flag: 'enableMasterPoolerNodePort' },
  { port: 'replicaPoolerNodePort', flag: 'enableReplicaPoolerNodePort' },
] as const;

interface NodePort {
  port: (typeof NODE_PORTS)[number]['port'];
  flag: (typeof NODE_PORTS)[number]['flag'];
  value: number;
  enabled: boolean;
}

/** The node ports written in the manifest; 0 means "let Kubernetes choose" and is left out. */
function nodePorts(object: Loose<Postgresql>): NodePort[] {
  const spec = object.spec;
  if (spec === undefined) return [];
  return NODE_PORTS.flatMap(({ port, flag }) => {
    const value = spec[port];
    return value === undefined || value === 0 ? [] : [{ port, flag, value, enabled: spec[flag] === true }];
  });
}

const portWithoutFlag: Rule = {
  id: 'services/node-port-without-enable',
  operatorVersion: '2.0.1',
  severity: 'warning',
  summary: 'A node port number (masterNodePort, …) without the matching enable…NodePort: true.',
  why: 'The operator uses the port number only when the manifest turns the NodePort service on; otherwise it is silently ignored.',
  bad: 'spec:\n  masterNodePort: 30432\n',
  good: 'spec:\n  enableMasterNodePort: true\n  masterNodePort: 30432\n',
  *check(context) {
    for (const { port, flag, value, enabled } of nodePorts(context.object)) {
      if (enabled) continue;
      yield {
        path: `spec.${port}`,
        message: `${port} ${value} is only used with ${flag}: true; without it the operator ignores the port`,
        hint: `add ${flag}: true, or remove ${port}`,
      };
    }
  },
};

const portOutOfRange: Rule = {
  id: 'services/node-port-out-of-range',
  operatorVersion: '2.0.1',
  severity: 'warning',
  summary: 'A node port outside 30000–32767, the default NodePort range.',
  why: "The operator passes the port on unchecked; the API server refuses a Service whose nodePort is outside the cluster's --service-node-port-range (30000–32767 unless the cluster configures another range), so the service is not created.",
  bad: 'spec:\n  enableMasterNodePort: true\n  masterNodePort: 5432\n',
  good: 'spec:\n  enableMasterNodePort: true\n  masterNodePort: 30432\n',
  *check(context) {
    for (const { port, value, enabled } of nodePorts(context.object)) {
      if (!enabled) continue; // not used at all: services/node-port-without-enable
      if (value >= NODE_PORT_MIN && value <= NODE_PORT_MAX) continue;
      const impossible = value < 1 || value > 65535 ? ' (not a port number at all)' : '';
      yield {
        path: `spec.${port}`,
        message: `${port} ${value} is outside the default NodePort range ${NODE_PORT_MIN}-${NODE_PORT_MAX}${impossible}: the Service is refused unless this cluster configures a range that contains it`,
        hint: `pick a port in ${NODE_PORT_MIN}-${NODE_PORT_MAX}, or 0 / nothing to let Kubernetes choose`,
      };
    }
  },
};

const duplicatePort: Rule = {
  id: 'services/duplicate-node-port',
  operatorVersion: '2.0.1',
  severity: 'error',
  summary: 'The same node port for two enabled NodePort services.',
  why: 'A node port belongs to one Service in the whole cluster: the API server refuses the second Service ("provided port is already allocated").',
  bad: 'spec:\n  enableMasterNodePort: true\n  masterNodePort: 30432\n  enableReplicaNodePort: true\n  replicaNodePort: 30432\n',
  good: 'spec:\n  enableMasterNodePort: true\n  masterNodePort: 30432\n  enableReplicaNodePort: true\n  replicaNodePort: 30433\n',
  *check(context) {
    const firsts = new Map<number, string>();
    for (const { port, value, enabled } of nodePorts(context.object)) {
      if (!enabled) continue;
      const first = firsts.get(value);
      if (first === undefined) {
        firsts.set(value, port);
        continue;
      }
      yield {
        path: `spec.${port}`,
        message: `node port ${value} is already used by ${first}: the API server refuses the second Service ("provided port is already allocated")`,
        hint: 'give each NodePort service its own port, or 0 to let Kubernetes choose',
      };
    }
  },
};

const shmNotDisabled: Rule = {
  id: 'services/shm-volume-not-disabled',
  severity: 'warning',
  summary: "enableShmVolume: false while the operator's enable_shm_volume is true.",
  why: 'The operator mounts /dev/shm when the manifest says true or its configuration does; a manifest false cannot switch it off (contrary to the docs).',
  bad: 'spec:\n  enableShmVolume: false\n',
  good: 'spec:\n  enableShmVolume: true\n',
  *check(context) {
    if (context.object.spec?.enableShmVolume !== false || !context.policy.enableShmVolume) return;
    yield {
      path: 'spec.enableShmVolume',
      message:
        "enableShmVolume: false has no effect: the operator's enable_shm_volume is true, and it mounts /dev/shm when either says true",
      hint: 'remove enableShmVolume; switching /dev/shm off needs enable_shm_volume: false in the operator configuration',
    };
  },
};

export const SERVICES_RULES: readonly Rule[] = [
  portWithoutFlag,
  portOutOfRange,
  duplicatePort,
  shmNotDisabled,
];
