import { type DocumentObject, objectsOfDocument } from '../source/document-objects.js';
import { LineIndex } from '../source/line-index.js';
import { parseYamlDocuments, type Span } from '../source/yaml-documents.js';
import {
  formatNotes,
  type LoadedPolicy,
  OPERATOR_KEYS,
  type PolicyNote,
  readConfigMapData,
  typeOf,
} from './configmap-policy.js';
import { applyDeploymentOverrides } from './deployment-overrides.js';
import { readOperatorConfiguration } from './operator-configuration-policy.js';
import { type OperatorPolicy, operatorDefaults } from './operator-policy.js';
import { PolicyError } from './policy-error.js';

/** How to read an operator configuration. */
export interface PolicyReadOptions {
  /**
   * The operator release it configures (`1.15.1`; a leading `v` is fine): keys the configuration leaves
   * out take that release's defaults (`operatorDefaults`), not v2.0.1's. A release `operatorDefaults`
   * does not know is a PolicyError.
   */
  release?: string;
}

/** The defaults a missing key takes on one configuration path. */
function defaultsOf(
  path: OperatorPolicy['path'],
  options: PolicyReadOptions,
  source: string,
): Readonly<OperatorPolicy> | undefined {
  if (options.release === undefined) return undefined;
  const defaults = operatorDefaults(options.release, path);
  if (defaults === undefined) {
    throw new PolicyError(
      source,
      `no operator defaults are known for release ${JSON.stringify(options.release)}`,
    );
  }
  return defaults;
}

const OPERATOR_API_VERSION = 'acid.zalan.do/v1';
const EXPECTED = `a ConfigMap, an OperatorConfiguration (${OPERATOR_API_VERSION}) or a map of operator settings`;

type Json = Record<string, unknown>;

function isMap(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringAt(object: unknown, ...path: string[]): string | undefined {
  let node = object;
  for (const segment of path) node = isMap(node) ? node[segment] : undefined;
  return typeof node === 'string' && node !== '' ? node : undefined;
}

/** Reads one object: a ConfigMap (its `data`), an OperatorConfiguration (its `configuration`) or bare ConfigMap data. */
function readDocument(
  value: unknown,
  source: string,
  options: PolicyReadOptions,
): { policy: OperatorPolicy; notes: PolicyNote[] } {
  if (!isMap(value)) throw new PolicyError(source, `expected ${EXPECTED}, got ${typeOf(value)}`);
  const { kind, apiVersion } = value;
  if (kind === undefined && apiVersion === undefined)
    return readConfigMapData(value, source, '', defaultsOf('configmap', options, source));
  let read: { policy: OperatorPolicy; notes: PolicyNote[] };
  if (kind === 'ConfigMap') {
    const data = value.data ?? {};
    if (!isMap(data)) {
      throw new PolicyError(source, `data: ${typeOf(data)} is not a map of strings`, {
        path: 'data',
        hint: 'write data: as key: "value" lines',
      });
    }
    read = readConfigMapData(data, source, 'data', defaultsOf('configmap', options, source));
  } else if (kind === 'OperatorConfiguration') {
    if (apiVersion !== OPERATOR_API_VERSION) {
      throw new PolicyError(
        source,
        `an OperatorConfiguration of ${JSON.stringify(apiVersion)} is not the Zalando postgres-operator's (${OPERATOR_API_VERSION})`,
        { path: 'apiVersion', hint: `write apiVersion: ${OPERATOR_API_VERSION}` },
      );
    }
    if (value.configuration === undefined || value.configuration === null) {
      throw new PolicyError(source, 'the OperatorConfiguration has no configuration (the CRD requires it)', {
        hint: 'add configuration: with the operator settings',
      });
    }
    read = readOperatorConfiguration(
      value.configuration,
      source,
      defaultsOf('operatorconfiguration', options, source),
    );
  } else {
    const got = typeof kind === 'string' ? `kind ${kind}` : 'an object without kind';
    throw new PolicyError(source, `expected ${EXPECTED}, got ${got}`, { path: 'kind' });
  }
  // Assumption: the operator runs in the namespace of its configuration. It reads its
  // OperatorConfiguration from its own namespace, and a CONFIG_MAP_NAME without `namespace/` there too.
  const namespace = stringAt(value, 'metadata', 'namespace');
  if (namespace !== undefined) read.policy.operatorNamespace = namespace;
  return read;
}

/**
 * The operator's policy from one parsed document: a ConfigMap (its `data`), an OperatorConfiguration
 * of acid.zalan.do/v1 (its `configuration`), or a bare map of ConfigMap keys. `operatorNamespace` is
 * the object's own `metadata.namespace`, when it has one. Missing keys take the defaults of
 * `options.release` (v2.0.1 unless given).
 */
export function policyFromDocument(
  value: unknown,
  source: string,
  options: PolicyReadOptions = {},
): LoadedPolicy {
  const { policy, notes } = readDocument(value, source, options);
  return { policy, warnings: formatNotes(source, notes) };
}

// ---------------------------------------------------------------------------------------------------
// Files: several documents (a whole operator install), positions for errors and warnings.

const kindOf = (object: DocumentObject): unknown => (isMap(object.value) ? object.value.kind : undefined);
const nameOf = (object: DocumentObject): string | undefined => stringAt(object.value, 'metadata', 'name');

function describe(object: DocumentObject): string {
  const name = nameOf(object);
  return `${String(kindOf(object))}${name ? ` "${name}"` : ''} (document ${object.doc.index + 1})`;
}

/** What the operator's Deployment says about its configuration: its container's env and args. */
interface OperatorDeployment {
  object: DocumentObject;
  /** Path of the operator container in the Deployment. */
  containerPath: string;
  env: Map<string, string>;
  /** Env names set through valueFrom: their values are not in the file. */
  indirect: Set<string>;
  args: string[];
}

const CONFIG_ENV = ['POSTGRES_OPERATOR_CONFIGURATION_OBJECT', 'CONFIG_MAP_NAME'];

function operatorDeploymentOf(object: DocumentObject): OperatorDeployment | undefined {
  if (kindOf(object) !== 'Deployment' || !isMap(object.value)) return undefined;
  const template = isMap(object.value.spec) ? object.value.spec.template : undefined;
  const containers = isMap(template) && isMap(template.spec) ? template.spec.containers : undefined;
  if (!Array.isArray(containers)) return undefined;
  for (const [i, container] of containers.entries()) {
    if (!isMap(container) || !Array.isArray(container.env)) continue;
    const env = new Map<string, string>();
    const indirect = new Set<string>();
    for (const variable of container.env) {
      if (!isMap(variable) || typeof variable.name !== 'string') continue;
      if (typeof variable.value === 'string') env.set(variable.name, variable.value);
      else if (variable.valueFrom !== undefined) indirect.add(variable.name);
    }
    if (!CONFIG_ENV.some((name) => env.has(name) || indirect.has(name))) continue;
    const args = [container.command, container.args].flatMap((list) =>
      Array.isArray(list) ? list.filter((a): a is string => typeof a === 'string') : [],
    );
    const containerPath = `${object.prefix ? `${object.prefix}.` : ''}spec.template.spec.containers[${i}]`;
    return { object, containerPath, env, indirect, args };
  }
  return undefined;
}

/** The configuration object the Deployment's env names (the OperatorConfiguration wins, as in the operator). */
function namedByDeployment(
  deployment: OperatorDeployment,
  objects: DocumentObject[],
): { kind: string; name: string; found?: DocumentObject } | undefined {
  const configurationObject = deployment.env.get('POSTGRES_OPERATOR_CONFIGURATION_OBJECT');
  if (configurationObject) {
    const found = objects.find(
      (o) => kindOf(o) === 'OperatorConfiguration' && nameOf(o) === configurationObject,
    );
    return { kind: 'OperatorConfiguration', name: configurationObject, ...(found && { found }) };
  }
  const configMap = deployment.env.get('CONFIG_MAP_NAME');
  if (!configMap) return undefined;
  const slash = configMap.indexOf('/');
  const name = slash < 0 ? configMap : configMap.slice(slash + 1);
  const namespace = slash < 0 ? undefined : configMap.slice(0, slash);
  const found = objects.find((o) => {
    if (kindOf(o) !== 'ConfigMap' || nameOf(o) !== name) return false;
    const own = stringAt(o.value, 'metadata', 'namespace');
    return namespace === undefined || own === undefined || own === namespace;
  });
  return { kind: 'ConfigMap', name: configMap, ...(found && { found }) };
}

/** Whether an object looks like an operator configuration: an acid.zalan.do one, or a ConfigMap with an operator key. */
function isOperatorConfiguration(object: DocumentObject): boolean {
  if (!isMap(object.value)) return false;
  if (object.value.kind === 'OperatorConfiguration') return object.value.apiVersion === OPERATOR_API_VERSION;
  return (
    object.value.kind === 'ConfigMap' &&
    isMap(object.value.data) &&
    Object.keys(object.value.data).some((k) => OPERATOR_KEYS.has(k))
  );
}

interface Warner {
  warn(object: DocumentObject, path: string, message: string, on?: 'key'): void;
  warnings: string[];
}

function choose(
  objects: DocumentObject[],
  deployment: OperatorDeployment | undefined,
  source: string,
  warner: Warner,
): DocumentObject {
  const named = deployment && namedByDeployment(deployment, objects);
  if (named?.found) return named.found;
  const candidates = objects.filter(
    (o) => kindOf(o) === 'ConfigMap' || kindOf(o) === 'OperatorConfiguration',
  );
  const plausible = candidates.filter(isOperatorConfiguration);
  const chosen = plausible[0] ?? candidates[0];
  if (chosen === undefined) {
    if (objects.length === 1) return objects[0] as DocumentObject;
    throw new PolicyError(
      source,
      `none of the ${objects.length} objects is a ConfigMap or an OperatorConfiguration (${OPERATOR_API_VERSION})`,
    );
  }
  if (deployment && named) {
    warner.warn(
      deployment.object,
      `${deployment.containerPath}.env`,
      `the operator Deployment reads ${named.kind} "${named.name}", which is not in this file; using ${describe(chosen)} instead`,
    );
  } else if (plausible.length > 1) {
    warner.warn(
      chosen,
      '',
      `${plausible.length} operator configurations in this file; using the first, ${describe(chosen)}`,
      'key',
    );
  }
  return chosen;
}

/** The operator's environment and flags override its configuration (controller.go: modifyConfigFromEnvironment). */
function applyDeployment(policy: OperatorPolicy, deployment: OperatorDeployment, warner: Warner): void {
  const envPath = `${deployment.containerPath}.env`;
  for (const name of ['WATCHED_NAMESPACE', 'CONTROLLER_ID', ...CONFIG_ENV]) {
    if (deployment.indirect.has(name)) {
      warner.warn(
        deployment.object,
        envPath,
        `${name} is set through valueFrom, which a file cannot show; its value is not taken into account`,
      );
    }
  }
  for (const note of applyDeploymentOverrides(policy, deployment)) {
    warner.warn(deployment.object, envPath, `operator Deployment: ${note}`);
  }
  const namespace = stringAt(deployment.object.value, 'metadata', 'namespace');
  if (namespace !== undefined) policy.operatorNamespace = namespace;
}

function joinPath(prefix: string, path: string): string {
  if (prefix === '') return path;
  return path === '' ? prefix : `${prefix}.${path}`;
}

/**
 * The operator's policy from a YAML or JSON text, read the way kubectl reads it. The text may hold
 * several documents (a whole operator install, `kubectl get -o yaml` lists): the configuration object
 * the operator Deployment's env names is used, else the first OperatorConfiguration or ConfigMap
 * holding operator settings, else the first ConfigMap or OperatorConfiguration; a text with one bare map
 * is read as ConfigMap data. The Deployment's WATCHED_NAMESPACE, CONTROLLER_ID and -noteamsapi /
 * -nodatabaseaccess flags are applied like the operator applies them. Missing keys take the defaults
 * of `options.release` (v2.0.1 unless given). Errors and warnings carry `source:line:column`.
 */
export function policyFromText(text: string, source: string, options: PolicyReadOptions = {}): LoadedPolicy {
  const lines = new LineIndex(text);
  const position = (span: Span) => lines.position(span.start);
  const documents = parseYamlDocuments(text);
  for (const doc of documents) {
    const broken = doc.problems.find((p) => p.ruleId !== 'yaml/duplicate-key');
    if (broken) throw new PolicyError(source, broken.message, { location: position(broken.span) });
  }
  const objects = documents.flatMap(objectsOfDocument);
  if (objects.length === 0) throw new PolicyError(source, `no YAML document; expected ${EXPECTED}`);

  const warner: Warner = {
    warnings: [],
    warn(object, path, message, on) {
      const { line, column } = position(object.doc.locate(joinPath(object.prefix, path), on ?? 'value'));
      this.warnings.push(`${source}:${line}:${column}: ${message}`);
    },
  };
  const deployment = objects.map(operatorDeploymentOf).find((d) => d !== undefined);
  const chosen = choose(objects, deployment, source, warner);

  let read: { policy: OperatorPolicy; notes: PolicyNote[] };
  try {
    read = readDocument(chosen.value, source, options);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    throw error.at(position(chosen.doc.locate(joinPath(chosen.prefix, error.path ?? ''), 'value')));
  }
  for (const problem of chosen.doc.problems) {
    const { line, column } = position(problem.span);
    warner.warnings.push(`${source}:${line}:${column}: ${problem.message}`);
  }
  for (const note of read.notes) warner.warn(chosen, note.path, note.message, note.on);
  if (deployment) applyDeployment(read.policy, deployment, warner);
  return { policy: read.policy, warnings: warner.warnings };
}
