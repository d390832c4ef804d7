/**
 * The schema of every kind deploy/ renders, from kubernetes-models (Kubernetes' own OpenAPI schemas,
 * 1.30 and newer) and @kubernetes-models/cert-manager (cert-manager's CRDs): a `validate()` for the
 * values (types, enums, required fields) and the TypeScript interface for the field names, which the
 * OpenAPI schemas leave open (`kubectl apply` refuses an unknown field; `validate()` would not).
 * The Prometheus Operator's kinds are in neither package: the monitoring test checks their fields.
 */
import { Certificate, Issuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import {
  MutatingWebhookConfiguration,
  ValidatingWebhookConfiguration,
} from 'kubernetes-models/admissionregistration.k8s.io/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
} from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';

interface Validatable {
  validate(): void;
}

/** The rendered object is whatever YAML said: the model's constructor takes it as its data, unchecked. */
function model<Data>(Model: new (data: Data) => Validatable): (object: object) => Validatable {
  return (object) => new Model(object as Data);
}

export interface KindSchema {
  /** Validates the object's values against the kind's JSON schema; throws with every problem. */
  validator: (object: object) => Validatable;
  /** Where the kind's TypeScript interface lives, and its name. */
  typeModule: string;
  typeName: string;
}

const core = (kind: string) => ({ typeModule: `kubernetes-models/v1/${kind}`, typeName: `I${kind}` });
const rbac = (kind: string) => ({
  typeModule: `kubernetes-models/rbac.authorization.k8s.io/v1/${kind}`,
  typeName: `I${kind}`,
});
const admission = (kind: string) => ({
  typeModule: `kubernetes-models/admissionregistration.k8s.io/v1/${kind}`,
  typeName: `I${kind}`,
});
const certManager = (kind: string) => ({
  typeModule: `@kubernetes-models/cert-manager/cert-manager.io/v1/${kind}`,
  typeName: `I${kind}`,
});

/** By `apiVersion/kind`. */
export const SCHEMAS: Readonly<Record<string, KindSchema>> = {
  'v1/Namespace': { validator: model(Namespace), ...core('Namespace') },
  'v1/ServiceAccount': { validator: model(ServiceAccount), ...core('ServiceAccount') },
  'v1/Service': { validator: model(Service), ...core('Service') },
  'v1/ConfigMap': { validator: model(ConfigMap), ...core('ConfigMap') },
  'rbac.authorization.k8s.io/v1/ClusterRole': { validator: model(ClusterRole), ...rbac('ClusterRole') },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': {
    validator: model(ClusterRoleBinding),
    ...rbac('ClusterRoleBinding'),
  },
  'rbac.authorization.k8s.io/v1/Role': { validator: model(Role), ...rbac('Role') },
  'rbac.authorization.k8s.io/v1/RoleBinding': { validator: model(RoleBinding), ...rbac('RoleBinding') },
  'apps/v1/Deployment': {
    validator: model(Deployment),
    typeModule: 'kubernetes-models/apps/v1/Deployment',
    typeName: 'IDeployment',
  },
  'policy/v1/PodDisruptionBudget': {
    validator: model(PodDisruptionBudget),
    typeModule: 'kubernetes-models/policy/v1/PodDisruptionBudget',
    typeName: 'IPodDisruptionBudget',
  },
  'networking.k8s.io/v1/NetworkPolicy': {
    validator: model(NetworkPolicy),
    typeModule: 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy',
    typeName: 'INetworkPolicy',
  },
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': {
    validator: model(MutatingWebhookConfiguration),
    ...admission('MutatingWebhookConfiguration'),
  },
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': {
    validator: model(ValidatingWebhookConfiguration),
    ...admission('ValidatingWebhookConfiguration'),
  },
  'cert-manager.io/v1/Issuer': { validator: model(Issuer), ...certManager('Issuer') },
  'cert-manager.io/v1/Certificate': { validator: model(Certificate), ...certManager('Certificate') },
};

/** Kinds no schema package covers; their fields are checked by hand in monitoring.test.ts. */
export const CHECKED_BY_HAND: readonly string[] = [
  'monitoring.coreos.com/v1/ServiceMonitor',
  'monitoring.coreos.com/v1/PrometheusRule',
];

export const schemaKey = (o: { apiVersion: string; kind: string }): string => `${o.apiVersion}/${o.kind}`;
