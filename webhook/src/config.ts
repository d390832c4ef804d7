/**
 * The webhook's configuration from flags and environment (flags win). Pure: the caller passes argv
 * and env, and gets a checked configuration or a ConfigError saying what to write instead.
 */
import { parseArgs } from 'node:util';
import { type ClusterSettings, DEFAULT_DEFAULTS_KEY } from './cluster/cluster-settings.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface WebhookConfig {
  host: string;
  port: number;
  tlsCert?: string;
  tlsKey?: string;
  operatorConfig?: string;
  defaults?: string;
  teams: string[];
  logLevel: LogLevel;
  dev: boolean;
  allowBypass: boolean;
  shutdownDelayMs: number;
  shutdownTimeoutMs: number;
  cacheSize: number;
  /** `--cluster`: the policy from the live cluster instead of files. */
  cluster?: ClusterSettings;
  help: boolean;
  version: boolean;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';

  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const USAGE = `Usage: acid-guard-webhook [flags]

Admission webhook for Zalando postgres-operator postgresql objects: POST /validate and /mutate
(AdmissionReview admission.k8s.io/v1 or v1beta1), GET /healthz, /readyz and /metrics, over HTTPS
(HTTP/2 and HTTP/1.1). Every flag can also be set as an environment variable (in brackets).

  --port <n>               port to listen on (default 8443)                   [ACID_GUARD_PORT]
  --host <address>         address to listen on (default 0.0.0.0; 127.0.0.1 with --dev) [ACID_GUARD_HOST]
  --tls-cert <file>        serving certificate (PEM), reloaded when it changes [ACID_GUARD_TLS_CERT]
  --tls-key <file>         its private key (PEM)                               [ACID_GUARD_TLS_KEY]
  --operator-config <file> the operator's ConfigMap, OperatorConfiguration or install manifest
                           (default: the operator's built-in v2.0.1 defaults) [ACID_GUARD_OPERATOR_CONFIG]
  --defaults <file>        a DefaultsPolicy for /mutate                        [ACID_GUARD_DEFAULTS]
  --teams <file>           PostgresTeam manifests or a teams file; repeatable
                           (comma-separated in the environment)                [ACID_GUARD_TEAMS]
  --cluster                read the policy from the cluster, kept up to date by watches (docs/cluster.md):
                           the operator's configuration, PostgresTeam objects, a defaults ConfigMap [ACID_GUARD_CLUSTER]
  --kubeconfig <file>      with --cluster: a kubeconfig (default: the in-cluster service account) [ACID_GUARD_KUBECONFIG]
  --context <name>         with --cluster: a context of the kubeconfig           [ACID_GUARD_CONTEXT]
  --operator-namespace <ns> with --cluster (required): where the postgres-operator runs [ACID_GUARD_OPERATOR_NAMESPACE]
  --operator-deployment <name> its Deployment, whose env names its configuration
                           (default postgres-operator)                        [ACID_GUARD_OPERATOR_DEPLOYMENT]
  --operator-config-name <name> its ConfigMap, named directly (no Deployment read) [ACID_GUARD_OPERATOR_CONFIG_NAME]
  --operator-configuration-name <name> its OperatorConfiguration, named directly [ACID_GUARD_OPERATOR_CONFIGURATION_NAME]
  --teams-namespace <ns>   with --cluster: watch PostgresTeam objects only here; repeatable
                           (comma-separated in the environment; default: every namespace) [ACID_GUARD_TEAMS_NAMESPACE]
  --defaults-configmap <[ns/]name> with --cluster: the ConfigMap holding the DefaultsPolicy
                           (namespace: the webhook's own by default)          [ACID_GUARD_DEFAULTS_CONFIGMAP]
  --defaults-key <key>     its data key (default defaults.yaml)               [ACID_GUARD_DEFAULTS_KEY]
  --allow-bypass           honour the acid-guard/bypass annotation (off by default) [ACID_GUARD_ALLOW_BYPASS]
  --log-level <level>      fatal, error, warn, info, debug, trace or silent (default info) [ACID_GUARD_LOG_LEVEL]
  --shutdown-delay <time>  on SIGTERM, stay up unready this long first (default 0s) [ACID_GUARD_SHUTDOWN_DELAY]
  --shutdown-timeout <time> then give requests in flight this long (default 10s) [ACID_GUARD_SHUTDOWN_TIMEOUT]
  --cache-size <n>         verdicts kept by content, 0 = off (default 1000)   [ACID_GUARD_CACHE_SIZE]
  --dev                    development mode: a self-signed certificate for 127.0.0.1 and localhost in
                           a temporary folder, and a printed curl line with a sample review [ACID_GUARD_DEV]
  --help, --version
`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'operator-config': { type: 'string' },
  defaults: { type: 'string' },
  teams: { type: 'string', multiple: true },
  'allow-bypass': { type: 'boolean' },
  'log-level': { type: 'string' },
  'shutdown-delay': { type: 'string' },
  'shutdown-timeout': { type: 'string' },
  'cache-size': { type: 'string' },
  cluster: { type: 'boolean' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'operator-namespace': { type: 'string' },
  'operator-deployment': { type: 'string' },
  'operator-config-name': { type: 'string' },
  'operator-configuration-name': { type: 'string' },
  'teams-namespace': { type: 'string', multiple: true },
  'defaults-configmap': { type: 'string' },
  'defaults-key': { type: 'string' },
  dev: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

type FlagName = keyof typeof OPTIONS;

const envName = (flag: FlagName): string => `ACID_GUARD_${flag.toUpperCase().replaceAll('-', '_')}`;

function integer(text: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max) {
    throw new ConfigError(`${what}: "${text}" is not a whole number from ${min} to ${max}`);
  }
  return Number(text);
}

/** `10s`, `500ms`, `1m`, or a bare number of seconds. */
export function parseDuration(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new ConfigError(`${what}: "${text}" is not a duration; write e.g. 10s, 500ms or 1m`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(unit === 'ms' ? value : unit === 's' ? value * 1000 : value * 60_000);
}

function boolean(text: string, what: string): boolean {
  const value = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['', '0', 'false', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(`${what}: "${text}" is not true or false`);
}

/** Reads flags and environment; throws ConfigError. */
export function readConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): WebhookConfig {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError(`${(error as Error).message.replaceAll('\n', ' ')}; see --help`);
  }
  const text = (flag: FlagName): { value: string; what: string } | undefined => {
    const fromFlag = values[flag];
    if (typeof fromFlag === 'string') return { value: fromFlag, what: `--${flag}` };
    const fromEnv = env[envName(flag)];
    return fromEnv === undefined || fromEnv === '' ? undefined : { value: fromEnv, what: envName(flag) };
  };
  const flag = (name: FlagName): boolean => {
    if (values[name] === true) return true;
    const fromEnv = env[envName(name)];
    return fromEnv === undefined ? false : boolean(fromEnv, envName(name));
  };
  const path = (name: FlagName): string | undefined => text(name)?.value;

  const dev = flag('dev');
  const port = text('port');
  const level = text('log-level');
  if (level !== undefined && !LOG_LEVELS.includes(level.value as LogLevel)) {
    throw new ConfigError(`${level.what}: "${level.value}" is not one of ${LOG_LEVELS.join(', ')}`);
  }
  const delay = text('shutdown-delay');
  const timeout = text('shutdown-timeout');
  const cache = text('cache-size');
  const teamsFromEnv = env[envName('teams')];
  const teams =
    values.teams ??
    (teamsFromEnv
      ? teamsFromEnv
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t !== '')
      : []);

  const config: WebhookConfig = {
    host: text('host')?.value ?? (dev ? '127.0.0.1' : '0.0.0.0'),
    port: port === undefined ? 8443 : integer(port.value, port.what, 0, 65535),
    teams,
    logLevel: (level?.value as LogLevel | undefined) ?? 'info',
    dev,
    allowBypass: flag('allow-bypass'),
    shutdownDelayMs: delay === undefined ? 0 : parseDuration(delay.value, delay.what),
    shutdownTimeoutMs: timeout === undefined ? 10_000 : parseDuration(timeout.value, timeout.what),
    cacheSize: cache === undefined ? 1000 : integer(cache.value, cache.what, 0, 1_000_000),
    help: values.help === true,
    version: values.version === true,
  };
  for (const [key, name] of [
    ['tlsCert', 'tls-cert'],
    ['tlsKey', 'tls-key'],
    ['operatorConfig', 'operator-config'],
    ['defaults', 'defaults'],
  ] as const) {
    const value = path(name);
    if (value !== undefined) config[key] = value;
  }
  const cluster = clusterSettings(flag('cluster'), path, values['teams-namespace'], env);
  if (cluster !== undefined) {
    for (const [key, name] of [
      ['operatorConfig', 'operator-config'],
      ['defaults', 'defaults'],
    ] as const) {
      if (config[key] !== undefined) {
        throw new ConfigError(
          `--cluster reads the policy from the cluster: drop --${name} (the cluster's ${name === 'defaults' ? 'defaults come from --defaults-configmap' : 'operator configuration is read from its Deployment or --operator-config-name'})`,
        );
      }
    }
    if (config.teams.length > 0) {
      throw new ConfigError('--cluster reads PostgresTeam objects from the cluster: drop --teams');
    }
    config.cluster = cluster;
  }
  if (
    !config.help &&
    !config.version &&
    !dev &&
    (config.tlsCert === undefined || config.tlsKey === undefined)
  ) {
    throw new ConfigError(
      'the webhook serves HTTPS only: give --tls-cert and --tls-key (the mounted cert-manager Secret), or --dev for a self-signed development certificate',
    );
  }
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) {
    throw new ConfigError('--tls-cert and --tls-key go together: give both');
  }
  return config;
}

const CLUSTER_FLAGS = [
  'kubeconfig',
  'context',
  'operator-namespace',
  'operator-deployment',
  'operator-config-name',
  'operator-configuration-name',
  'defaults-configmap',
  'defaults-key',
] as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkName(value: string, what: string, pattern: RegExp, kind: string): string {
  if (value.length > 253 || !pattern.test(value)) {
    throw new ConfigError(`${what}: "${value}" is not a valid ${kind}`);
  }
  return value;
}

/** The `--cluster` settings; undefined without `--cluster` (and then no cluster flag may be given). */
function clusterSettings(
  enabled: boolean,
  path: (name: FlagName) => string | undefined,
  teamsFlag: string[] | undefined,
  env: Readonly<Record<string, string | undefined>>,
): ClusterSettings | undefined {
  const teamsFromEnv = env[envName('teams-namespace')];
  const teamsNamespaces =
    teamsFlag ??
    (teamsFromEnv
      ? teamsFromEnv
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t !== '')
      : []);
  if (!enabled) {
    const given = CLUSTER_FLAGS.find((name) => path(name) !== undefined);
    if (given !== undefined || teamsNamespaces.length > 0) {
      throw new ConfigError(`--${given ?? 'teams-namespace'} reads from the cluster: it needs --cluster`);
    }
    return undefined;
  }
  const namespace = path('operator-namespace');
  if (namespace === undefined) {
    throw new ConfigError(
      '--cluster needs --operator-namespace: the namespace the postgres-operator runs in (where its Deployment and configuration are)',
    );
  }
  const configMap = path('operator-config-name');
  const configuration = path('operator-configuration-name');
  const deployment = path('operator-deployment');
  if (configMap !== undefined && configuration !== undefined) {
    throw new ConfigError(
      'the operator reads a ConfigMap or an OperatorConfiguration, not both: give --operator-config-name or --operator-configuration-name',
    );
  }
  if (deployment !== undefined && (configMap !== undefined || configuration !== undefined)) {
    throw new ConfigError(
      '--operator-deployment finds the configuration through the Deployment; --operator-config-name and --operator-configuration-name name it directly: give one or the other',
    );
  }
  const settings: ClusterSettings = {
    operatorNamespace: checkName(namespace, '--operator-namespace', DNS_LABEL, 'namespace name'),
    teamsNamespaces: teamsNamespaces.map((ns) =>
      checkName(ns, '--teams-namespace', DNS_LABEL, 'namespace name'),
    ),
  };
  const kubeconfig = path('kubeconfig');
  const context = path('context');
  if (kubeconfig !== undefined) settings.kubeconfig = kubeconfig;
  if (context !== undefined) settings.context = context;
  if (deployment !== undefined) {
    settings.operatorDeployment = checkName(
      deployment,
      '--operator-deployment',
      DNS_SUBDOMAIN,
      'object name',
    );
  }
  if (configMap !== undefined) {
    settings.operatorConfigMap = checkName(configMap, '--operator-config-name', DNS_SUBDOMAIN, 'object name');
  }
  if (configuration !== undefined) {
    settings.operatorConfiguration = checkName(
      configuration,
      '--operator-configuration-name',
      DNS_SUBDOMAIN,
      'object name',
    );
  }
  const defaults = path('defaults-configmap');
  const key = path('defaults-key');
  if (defaults !== undefined) {
    const slash = defaults.indexOf('/');
    const name = slash < 0 ? defaults : defaults.slice(slash + 1);
    settings.defaults = {
      name: checkName(name, '--defaults-configmap', DNS_SUBDOMAIN, 'object name'),
      key:
        key === undefined
          ? DEFAULT_DEFAULTS_KEY
          : checkName(key, '--defaults-key', /^[-._a-zA-Z0-9]+$/, 'ConfigMap key'),
    };
    if (slash >= 0) {
      settings.defaults.namespace = checkName(
        defaults.slice(0, slash),
        '--defaults-configmap',
        DNS_LABEL,
        'namespace name',
      );
    }
  } else if (key !== undefined) {
    throw new ConfigError('--defaults-key names a key of --defaults-configmap: give that too');
  }
  return settings;
}
