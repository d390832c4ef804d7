/** Fields that operator v2 removed from the CRD (docs/migrate.md), with what to write instead. */
export const REMOVED_FIELDS: Readonly<Record<string, string>> = {
  'spec.init_containers': 'use initContainers (same content)',
  'spec.pod_priority_class_name': 'use podPriorityClassName',
  'spec.useLoadBalancer': 'use enableMasterLoadBalancer: true',
  'spec.replicaLoadBalancer': 'use enableReplicaLoadBalancer: true',
};
