import { child, index } from '../field-path.js';
import type { Postgresql, Resources } from '../generated/postgresql.types.js';
import { compareQuantities, parseQuantity, type Quantity, readQuantity } from '../kubernetes/quantity.js';
import type { OperatorPolicy } from '../policy/operator-policy.js';
import { schemaPatternAccepts } from '../schema/schema-accepts.js';
import type { Problem, Rule } from './rule.js';
import type { Loose, RuleContext } from './rule-context.js';

/** Rules about resource requests and limits (operator-behaviour.md b.5). */

type Side = 'requests' | 'limits';
type ResourceKey = 'cpu' | 'memory' | 'hugepages-2Mi' | 'hugepages-1Gi';
const SIDES: readonly Side[] = ['requests', 'limits'];
const KEYS: readonly ResourceKey[] = ['cpu', 'memory', 'hugepages-2Mi', 'hugepages-1Gi'];
/** The keys the operator fills from defaults and compares (hugepages are only copied). */
const CPU_AND_MEMORY: readonly ('cpu' | 'memory')[] = ['cpu', 'memory'];

/** How the operator's messages name a key (`could not parse CPU quantity`). */
const KEY_LABEL: Readonly<Record<ResourceKey, string>> = {
  cpu: 'CPU',
  memory: 'memory',
  'hugepages-2Mi': 'hugepages-2Mi',
  'hugepages-1Gi': 'hugepages-1Gi',
};

/** Values `fillResourceList` treats as "not set": the operator default applies instead (b.5.1). */
const OPERATOR_EMPTY = new Set(['', '0', 'null']);

/** A `resources` block the operator turns into container resources. */
interface ResourceBlock {
  kind: 'postgres' | 'sidecar' | 'pooler';
  /** The container name the operator's messages use. */
  container: string;
  /** Field path of the `resources` node. */
  path: string;
  /** The same path as schema segments. */
  segments: string[];
  resources: Loose<Resources> | undefined;
}

function resourceBlocks(object: Loose<Postgresql>): ResourceBlock[] {
  const spec = object.spec;
  if (spec === undefined) return [];
  const blocks: ResourceBlock[] = [
    {
      kind: 'postgres',
      container: 'postgres',
      path: 'spec.resources',
      segments: ['spec', 'resources'],
      resources: spec.resources,
    },
  ];
  (spec.sidecars ?? []).forEach((sidecar, i) => {
    if (sidecar === undefined) return;
    blocks.push({
      kind: 'sidecar',
      container: sidecar.name || `sidecar-${i}`,
      path: child(index('spec.sidecars', i), 'resources'),
      segments: ['spec', 'sidecars', String(i), 'resources'],
      resources: sidecar.resources,
    });
  });
  if (spec.connectionPooler !== undefined) {
    blocks.push({
      kind: 'pooler',
      container: 'connection-pooler',
      path: 'spec.connectionPooler.resources',
      segments: ['spec', 'connectionPooler', 'resources'],
      resources: spec.connectionPooler.resources,
    });
  }
  return blocks;
}

/**
 * Why Kubernetes' quantity parser refuses a value that the CRD pattern admits (`500K`, `1e3Gi`), in
 * Kubernetes' words; undefined when the value parses, or when the schema check already reports it.
 */
/** Quantities Kubernetes certainly accepts: digits, an optional fraction and one known suffix. */
const PLAIN_QUANTITY = /^[0-9]+(\.[0-9]+)?([KMGTPE]i|[mkMGTPE])?$/;

export function quantityRefusal(
  context: RuleContext,
  segments: readonly string[],
  text: string,
): string | undefined {
  // The common case, a plainly valid quantity, needs neither the schema nor the full parser.
  if (PLAIN_QUANTITY.test(text)) return undefined;
  if (!schemaPatternAccepts(context.schema, segments, context.object, text)) return undefined;
  const reading = readQuantity(text);
  return reading.ok ? undefined : reading.error;
}

/** What to write instead of a quantity Kubernetes refuses. */
export function quantityRewrite(text: string): string {
  const bareK = /^([0-9]+(?:\.[0-9]+)?)K$/.exec(text);
  if (bareK !== null) return `write ${bareK[1]}Ki (×1024) or ${bareK[1]}k (×1000): there is no upper-case K`;
  const exponentAndSuffix = /^([0-9]+)(?:\.([0-9]+))?[eE]([0-9]+)([EPTGMK]i?)$/.exec(text);
  // A sane exponent only: the rewrite spells the number out.
  if (exponentAndSuffix !== null && Number(exponentAndSuffix[3]) <= 24) {
    const [, whole = '', fraction = '', power = '0', suffix = ''] = exponentAndSuffix;
    const shifted = shiftDecimal(whole, fraction, Number(power));
    return `write ${shifted}${suffix === 'K' ? 'Ki' : suffix}: an exponent cannot be combined with a suffix`;
  }
  return 'write a Kubernetes quantity: a number with one suffix, e.g. 500m or 2 for CPU, 512Mi or 4Gi for memory';
}

/** `whole.fraction × 10^power` as a plain decimal text. */
function shiftDecimal(whole: string, fraction: string, power: number): string {
  const digits = `${whole}${fraction.padEnd(power, '0')}`;
  const point = whole.length + power;
  const integer = digits.slice(0, point).replace(/^0+(?=.)/, '');
  const rest = digits.slice(point).replace(/0+$/, '');
  return rest === '' ? integer : `${integer}.${rest}`;
}

/** The postgres container's limits and requests are exempt from min/max when this annotation is "true". */
function thresholdsIgnored(context: RuleContext): boolean {
  const annotationKey = context.policy.ignoreResourcesLimitsAnnotationKey;
  return annotationKey !== '' && context.object.metadata?.annotations?.[annotationKey] === 'true';
}

function manifestValue(block: ResourceBlock, side: Side, key: ResourceKey): string | undefined {
  const value = block.resources?.[side]?.[key];
  return typeof value === 'string' ? value : undefined;
}

function valuePath(block: ResourceBlock, side: Side, key: string): string {
  return child(child(block.path, side), key);
}

/** The nearest node that exists on the way to `resources.<side>.<key>` (`spec` when there is no block). */
function nearestPath(block: ResourceBlock, side: Side, key: ResourceKey): string {
  if (block.resources?.[side]?.[key] !== undefined) return valuePath(block, side, key);
  if (block.resources?.[side] !== undefined) return child(block.path, side);
  return block.resources === undefined ? 'spec' : block.path;
}

/** The operator's default for a key of a container, as a config key and value; undefined value = not known. */
function defaultOf(
  policy: OperatorPolicy,
  block: ResourceBlock,
  side: Side,
  key: 'cpu' | 'memory',
): { setting: string; value: string | undefined } {
  const suffix = `${key}_${side === 'requests' ? 'request' : 'limit'}`;
  if (block.kind === 'pooler') return { setting: `connection_pooler_default_${suffix}`, value: undefined };
  const field = {
    cpu: { requests: policy.defaultCpuRequest, limits: policy.defaultCpuLimit },
    memory: { requests: policy.defaultMemoryRequest, limits: policy.defaultMemoryLimit },
  }[key][side];
  return { setting: `default_${suffix}`, value: field };
}

/** A value the operator will use, and where it came from. */
interface Effective {
  quantity: Quantity;
  text: string;
  /** `requests.cpu 2`, `default_cpu_limit 1`, `min_cpu_limit 250m`. */
  origin: string;
  fromManifest: boolean;
}

/** What the operator ends up with for a key: a value, nothing at all, or something we cannot know. */
type Resolution = { kind: 'value'; value: Effective } | { kind: 'unset' } | { kind: 'unknown' };

const UNSET: Resolution = { kind: 'unset' };
const UNKNOWN: Resolution = { kind: 'unknown' };

/**
 * What the operator puts into the container for a key: the manifest's value unless missing, "" or "0",
 * else the configured default (b.5.1). Unknown when a value does not parse (another rule reports it)
 * or the default is not part of the policy (the pooler's).
 */
function resolve(
  policy: OperatorPolicy,
  block: ResourceBlock,
  side: Side,
  key: 'cpu' | 'memory',
): Resolution {
  const written = manifestValue(block, side, key);
  if (written !== undefined && !OPERATOR_EMPTY.has(written)) {
    const quantity = parseQuantity(written);
    if (quantity === undefined) return UNKNOWN;
    return {
      kind: 'value',
      value: { quantity, text: written, origin: `${side}.${key} ${written}`, fromManifest: true },
    };
  }
  const fallback = defaultOf(policy, block, side, key);
  if (fallback.value === undefined) return UNKNOWN;
  if (OPERATOR_EMPTY.has(fallback.value)) return UNSET;
  const quantity = parseQuantity(fallback.value);
  if (quantity === undefined) return UNKNOWN;
  const origin = `${fallback.setting} ${fallback.value}`;
  return { kind: 'value', value: { quantity, text: fallback.value, origin, fromManifest: false } };
}

function policyQuantity(text: string): { text: string; quantity: Quantity } | undefined {
  const quantity = text === '' ? undefined : parseQuantity(text);
  return quantity && { text, quantity };
}

function minimumLimit(
  policy: OperatorPolicy,
  key: 'cpu' | 'memory',
): { text: string; quantity: Quantity } | undefined {
  return policyQuantity(key === 'cpu' ? policy.minCpuLimit : policy.minMemoryLimit);
}

function maximumRequest(
  policy: OperatorPolicy,
  key: 'cpu' | 'memory',
): { text: string; quantity: Quantity } | undefined {
  return policyQuantity(key === 'cpu' ? policy.maxCpuRequest : policy.maxMemoryRequest);
}

/** The limit after the operator's minimum enforcement (postgres container only, b.5.2). */
function enforcedLimit(context: RuleContext, block: ResourceBlock, key: 'cpu' | 'memory'): Resolution {
  const limit = resolve(context.policy, block, 'limits', key);
  if (block.kind !== 'postgres' || thresholdsIgnored(context) || limit.kind === 'unknown') return limit;
  const minimum = minimumLimit(context.policy, key);
  if (minimum === undefined) return limit;
  if (limit.kind === 'value' && compareQuantities(limit.value.quantity, minimum.quantity) >= 0) return limit;
  const origin = `min_${key}_limit ${minimum.text}`;
  return {
    kind: 'value',
    value: { quantity: minimum.quantity, text: minimum.text, origin, fromManifest: false },
  };
}

function exemptionHint(policy: OperatorPolicy): string {
  const annotationKey = policy.ignoreResourcesLimitsAnnotationKey;
  return annotationKey === '' ? '' : `, or annotate the cluster with ${annotationKey}: "true"`;
}

const unparseableQuantity: Rule = {
  id: 'resources/unparseable-quantity',
  severity: 'error',
  summary:
    'A CPU or memory quantity the CRD pattern admits but Kubernetes cannot parse (`500K`, `1e3Gi`), in any resources block.',
  why: "The operator parses every request and limit with the Kubernetes parser; on failure (`could not parse memory quantity: unable to parse quantity's suffix`) it cannot generate the StatefulSet or pooler Deployment, and the cluster stays in CreateFailed/SyncFailed. Init container resources are refused by the API server.",
  bad: 'spec:\n  resources:\n    limits:\n      memory: 500K\n',
  good: 'spec:\n  resources:\n    limits:\n      memory: 500Ki\n',
  *check(context) {
    for (const block of resourceBlocks(context.object)) {
      for (const side of SIDES) {
        for (const key of KEYS) {
          const text = manifestValue(block, side, key);
          // The operator does not parse "", "0" and "null" for CPU and memory: it takes the default.
          if (text === undefined || ((key === 'cpu' || key === 'memory') && OPERATOR_EMPTY.has(text)))
            continue;
          const refusal = quantityRefusal(context, [...block.segments, side, key], text);
          if (refusal === undefined) continue;
          const consequence =
            block.kind === 'pooler'
              ? 'the pooler Deployment cannot be generated'
              : 'the StatefulSet cannot be generated';
          yield {
            path: valuePath(block, side, key),
            message: `could not parse ${KEY_LABEL[key]} quantity: ${refusal} — ${consequence} (${block.container} container)`,
            hint: quantityRewrite(text),
          };
        }
      }
    }
    yield* initContainerRefusals(context);
    yield* streamRefusals(context);
  },
};

function* initContainerRefusals(context: RuleContext): Iterable<Problem> {
  const initContainers = context.object.spec?.initContainers ?? [];
  for (const [i, container] of initContainers.entries()) {
    for (const side of SIDES) {
      for (const [key, value] of Object.entries(container?.resources?.[side] ?? {})) {
        if (value === undefined) continue;
        const text = String(value);
        const refusal = quantityRefusal(
          context,
          ['spec', 'initContainers', String(i), 'resources', side, key],
          text,
        );
        if (refusal === undefined) continue;
        yield {
          path: child(child(child(index('spec.initContainers', i), 'resources'), side), key),
          message: `${text} is not a Kubernetes quantity (${refusal}): the API server refuses the StatefulSet's pod template`,
          hint: quantityRewrite(text),
        };
      }
    }
  }
}

function* streamRefusals(context: RuleContext): Iterable<Problem> {
  const streams = context.object.spec?.streams ?? [];
  for (const [i, stream] of streams.entries()) {
    for (const key of ['cpu', 'memory'] as const) {
      const text = stream?.[key];
      if (text === undefined) continue;
      const refusal = quantityRefusal(context, ['spec', 'streams', String(i), key], text);
      if (refusal === undefined) continue;
      yield {
        path: child(index('spec.streams', i), key),
        message: `${text} is not a Kubernetes quantity (${refusal}): the operator passes stream ${key} on unchecked as the fes.zalando.org/FES_${key.toUpperCase()} annotation of the FabricEventStream`,
        hint: quantityRewrite(text),
      };
    }
  }
}

const requestAboveLimit: Rule = {
  id: 'resources/request-above-limit',
  severity: 'warning',
  summary: 'A CPU or memory request above its limit (counting the operator defaults and minimum limits).',
  why: 'The operator silently raises the limit to the request (log `CPU limit of 1 for "postgres" container is increased to match CPU requests of 2`), so the pod gets a different limit than the manifest says.',
  bad: 'spec:\n  resources:\n    requests:\n      cpu: "2"\n    limits:\n      cpu: "1"\n',
  good: 'spec:\n  resources:\n    requests:\n      cpu: "1"\n    limits:\n      cpu: "2"\n',
  *check(context) {
    for (const block of resourceBlocks(context.object)) {
      for (const key of CPU_AND_MEMORY) {
        const requested = resolve(context.policy, block, 'requests', key);
        const limited = enforcedLimit(context, block, key);
        if (requested.kind !== 'value' || limited.kind !== 'value') continue;
        const request = requested.value;
        const limit = limited.value;
        if (!request.fromManifest && !limit.fromManifest) continue;
        if (compareQuantities(request.quantity, limit.quantity) <= 0) continue;
        const label = KEY_LABEL[key];
        yield {
          path: valuePath(block, request.fromManifest ? 'requests' : 'limits', key),
          message: `${label} request (${request.origin}) is above the ${label} limit (${limit.origin}): the operator raises the limit to the request — "${label} limit of ${limit.text} for "${block.container}" container is increased to match ${label} requests of ${request.text}"`,
          hint: `set limits.${key} to ${request.text} or more, or lower requests.${key}`,
        };
      }
    }
  },
};

const zeroQuantity: Rule = {
  id: 'resources/zero-quantity',
  severity: 'warning',
  summary: 'A CPU or memory request or limit of "0", which the operator reads as "not set".',
  why: 'The operator treats "0" like a missing value and applies its configured default instead (#2804): "0" neither removes a limit nor requests nothing. What the container gets depends on the operator configuration.',
  bad: 'spec:\n  resources:\n    limits:\n      cpu: "0"\n',
  good: 'spec:\n  resources:\n    limits:\n      cpu: "2"\n',
  *check(context) {
    for (const block of resourceBlocks(context.object)) {
      for (const side of SIDES) {
        for (const key of CPU_AND_MEMORY) {
          if (manifestValue(block, side, key) !== '0') continue;
          const fallback = defaultOf(context.policy, block, side, key);
          const outcome =
            fallback.value === undefined
              ? `applies ${fallback.setting} from its configuration instead`
              : fallback.value === ''
                ? `applies ${fallback.setting}, which is not set: the same as leaving the field out`
                : `applies ${fallback.setting} ${fallback.value} instead`;
          yield {
            path: valuePath(block, side, key),
            message: `${side}.${key} "0" does not mean zero or "none": the operator treats it as not set and ${outcome}`,
            hint: `remove ${side}.${key} to use the operator's default, or write the amount you mean (e.g. ${key === 'cpu' ? '500m' : '512Mi'})`,
          };
        }
      }
    }
  },
};

const limitBelowMinimum: Rule = {
  id: 'resources/limit-below-minimum',
  severity: 'warning',
  summary:
    "A postgres container CPU or memory limit below the operator's min_cpu_limit / min_memory_limit (also when no limit is set and no default covers it).",
  why: 'The operator raises the limit to the minimum and emits a Warning event `ResourceLimits` ("defined CPU limit 100m for "postgres" container is below required minimum 250m and will be increased"); a missing limit counts as 0 and is raised too.',
  examplePolicy: { minCpuLimit: '250m', minMemoryLimit: '250Mi' },
  bad: 'spec:\n  resources:\n    limits:\n      cpu: 100m\n      memory: 500Mi\n',
  good: 'spec:\n  resources:\n    limits:\n      cpu: 500m\n      memory: 500Mi\n',
  *check(context) {
    if (thresholdsIgnored(context)) return;
    const [block] = resourceBlocks(context.object);
    if (block === undefined) return;
    for (const key of CPU_AND_MEMORY) {
      const minimum = minimumLimit(context.policy, key);
      const limit = resolve(context.policy, block, 'limits', key);
      if (minimum === undefined || limit.kind === 'unknown') continue;
      if (limit.kind === 'value' && compareQuantities(limit.value.quantity, minimum.quantity) >= 0) continue;
      const label = KEY_LABEL[key];
      const shown = limit.kind === 'value' ? limit.value.text : '0';
      const event = `"defined ${label} limit ${shown} for "postgres" container is below required minimum ${minimum.text} and will be increased"`;
      const written = manifestValue(block, 'limits', key);
      const unsetDefault = defaultOf(context.policy, block, 'limits', key).setting;
      const what =
        limit.kind === 'unset'
          ? written === '0'
            ? `limits.${key} "0" counts as not set, ${unsetDefault} is empty, so the limit`
            : `no ${label} limit is set (nor ${unsetDefault})`
          : limit.value.fromManifest
            ? `the ${label} limit ${limit.value.text}`
            : `the ${label} limit from ${limit.value.origin}`;
      yield {
        path: nearestPath(block, 'limits', key),
        message: `${what} is below min_${key}_limit ${minimum.text}: the operator raises the limit to ${minimum.text} with a Warning event ResourceLimits — ${event}`,
        hint: `set spec.resources.limits.${key} to ${minimum.text} or more${exemptionHint(context.policy)}`,
      };
    }
  },
};

const requestAboveMaximum: Rule = {
  id: 'resources/request-above-maximum',
  severity: 'warning',
  summary:
    "A postgres container CPU or memory request above the operator's max_cpu_request / max_memory_request.",
  why: 'The operator silently lowers the request to the configured maximum, so the pod requests less than the manifest says.',
  examplePolicy: { maxCpuRequest: '2', maxMemoryRequest: '8Gi' },
  bad: 'spec:\n  resources:\n    requests:\n      cpu: "4"\n',
  good: 'spec:\n  resources:\n    requests:\n      cpu: "2"\n',
  *check(context) {
    if (thresholdsIgnored(context)) return;
    const [block] = resourceBlocks(context.object);
    if (block === undefined) return;
    for (const key of CPU_AND_MEMORY) {
      const maximum = maximumRequest(context.policy, key);
      const requested = resolve(context.policy, block, 'requests', key);
      if (maximum === undefined || requested.kind !== 'value' || !requested.value.fromManifest) continue;
      const request = requested.value;
      if (compareQuantities(request.quantity, maximum.quantity) <= 0) continue;
      yield {
        path: valuePath(block, 'requests', key),
        message: `${KEY_LABEL[key]} request ${request.text} is above max_${key}_request ${maximum.text}: the operator silently lowers it to ${maximum.text}`,
        hint: `request at most ${maximum.text}${exemptionHint(context.policy)}`,
      };
    }
  },
};

const initContainerRequestAboveLimit: Rule = {
  id: 'resources/init-container-request-above-limit',
  severity: 'error',
  summary: 'An init container requests more than its limit (or, for hugepages, not exactly its limit).',
  why: 'The operator passes initContainers through unchanged, and the API server refuses the StatefulSet: "must be less than or equal to cpu limit" (hugepages: "must be equal to"). No pod is created.',
  bad: 'spec:\n  initContainers:\n    - name: init\n      image: busybox\n      resources:\n        requests:\n          cpu: "2"\n        limits:\n          cpu: "1"\n',
  good: 'spec:\n  initContainers:\n    - name: init\n      image: busybox\n      resources:\n        requests:\n          cpu: "1"\n        limits:\n          cpu: "2"\n',
  *check(context) {
    const initContainers = context.object.spec?.initContainers ?? [];
    for (const [i, container] of initContainers.entries()) {
      const requests = container?.resources?.requests ?? {};
      const limits = container?.resources?.limits ?? {};
      for (const [key, requested] of Object.entries(requests)) {
        const limited = limits[key];
        if (requested === undefined || limited === undefined) continue;
        const request = parseQuantity(String(requested));
        const limit = parseQuantity(String(limited));
        if (request === undefined || limit === undefined) continue;
        const order = compareQuantities(request, limit);
        const mustEqual = key.startsWith('hugepages-');
        if (order <= 0 && !(mustEqual && order !== 0)) continue;
        yield {
          path: child(child(child(index('spec.initContainers', i), 'resources'), 'requests'), key),
          message: `request ${requested} ${mustEqual ? 'must be equal to' : 'must be less than or equal to'} ${key} limit of ${limited}: the API server refuses the StatefulSet`,
          hint: mustEqual
            ? `request exactly ${limited}`
            : `request at most ${limited}, or raise limits.${key}`,
        };
      }
    }
  },
};

export const RESOURCES_RULES: readonly Rule[] = [
  unparseableQuantity,
  requestAboveLimit,
  zeroQuantity,
  limitBelowMinimum,
  requestAboveMaximum,
  initContainerRequestAboveLimit,
];
