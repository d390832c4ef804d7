/**
 * The policy from the live cluster: informers on the operator's Deployment (or its configuration
 * named directly), its ConfigMap or OperatorConfiguration, the PostgresTeam objects and the defaults
 * ConfigMap. Every change rebuilds the snapshot in full and swaps one reference; a request reads that
 * reference once, so it sees one consistent policy, and never waits for the API server.
 *
 * An object that cannot be used (does not parse, is missing, names nothing) is rejected on its own:
 * the last good reading of that object stays in use — for the operator configuration, the defaults,
 * and each PostgresTeam — and the rejection is logged with the object's kind, namespace and name and
 * counted in `acid_guard_webhook_policy_errors_total{source}`. Until every informer has listed once and
 * the operator configuration (and the defaults, when configured) have been read well once, there is no
 * snapshot: `start()` has not resolved and `/readyz` says not ready.
 *
 * The schema follows the live CRD `postgresqls.acid.zalan.do` (live-schema.ts): it is part of the
 * snapshot, swapped together with the rest. Readiness waits for the first attempt to read it, not for
 * its success: a CRD that cannot be read or used means the built-in schema (or the last good CRD),
 * logged with the object, counted (`policy_errors_total{source="crd"}`) and shown by
 * `acid_guard_webhook_schema_source{source}`, never an unready webhook. When the CRD is that of a
 * release we know, that release's defaults fill in what the operator configuration leaves out.
 */
import {
  ClusterPolicyError,
  CONFIG_MAPS,
  clusterTeamDirectory,
  configRefFromSelection,
  configRefOf,
  configTypeOf,
  DEFAULT_OPERATOR_DEPLOYMENT,
  DEPLOYMENTS,
  type DefaultsPolicy,
  DefaultsPolicyError,
  describeObject,
  describeRef,
  KubeClient,
  loadDefaultsPolicy,
  type OperatorConfigRef,
  type OperatorDeployment,
  type OperatorPolicy,
  objectKey,
  operatorDeploymentOf,
  operatorPolicyFromObjects,
  POSTGRES_TEAMS,
  PolicyError,
  type PostgresTeamSource,
  postgresTeamSourceOf,
  shippedSchemas,
  teamNamespaceFilter,
} from '@acid-guard/validator';
import type { PolicyErrorSource, WebhookMetrics } from '../metrics.js';
import type { PolicySnapshot, PolicySource, ReloadEvent } from '../policy-source.js';
import { type ClusterSettings, operatorSelection, readsDeployment } from './cluster-settings.js';
import { Informer, type InformerProblem, type InformerTuning } from './informer.js';
import {
  type CrdState,
  CUSTOM_RESOURCE_DEFINITIONS,
  LiveSchema,
  POSTGRESQL_CRD,
  type SchemaReading,
} from './live-schema.js';

/** The logging the source needs: pino's shape. */
export interface ClusterPolicyLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const SILENT: ClusterPolicyLogger = { info() {}, warn() {}, error() {} };

export interface ClusterPolicySourceOptions {
  metrics?: WebhookMetrics;
  logger?: ClusterPolicyLogger;
  /** Where POD_NAMESPACE, KUBECONFIG and HOME are read; the process environment by default. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Informer tuning: backoff, watch timeouts (tests make them short). */
  informers?: InformerTuning;
  /** The clock for `loadedAt`. */
  clock?: () => Date;
}

/** An object the webhook could not use as policy. */
export class ClusterObjectError extends Error {
  override readonly name = 'ClusterObjectError';

  constructor(
    readonly source: PolicyErrorSource,
    readonly object: { kind: string; namespace: string; name: string },
    readonly detail: string,
  ) {
    const subject = describeObject(object.kind, object.namespace, object.name);
    // Loader messages already start with the object they read.
    super(detail.startsWith(subject) ? detail : `${subject}: ${detail}`);
  }
}

/** A reading of one object (or group of objects) that was good, with what identifies its input. */
interface Good<T> {
  value: T;
  /** Changes exactly when the input changes: resourceVersions and the Deployment's settings. */
  fingerprint: string;
}

interface OperatorReading {
  policy: OperatorPolicy;
  warnings: string[];
  sources: string[];
}

interface DefaultsReading {
  defaults: DefaultsPolicy;
  source: string;
}

/** The settings of a Deployment that matter, without its status (which changes all the time). */
function deploymentFingerprint(deployment: OperatorDeployment): string {
  return JSON.stringify([
    deployment.namespace,
    deployment.name,
    [...deployment.env],
    deployment.indirect,
    deployment.args,
  ]);
}

function sameRef(a: OperatorConfigRef | undefined, b: OperatorConfigRef): boolean {
  return a !== undefined && a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}

export class ClusterPolicySource implements PolicySource {
  readonly settings: ClusterSettings;
  readonly #options: ClusterPolicySourceOptions;
  #logger: ClusterPolicyLogger;
  #client: KubeClient | undefined;
  #deploymentInformer: Informer | undefined;
  #configInformer: Informer | undefined;
  #configRef: OperatorConfigRef | undefined;
  #teamInformers: Informer[] = [];
  #defaultsInformer: Informer | undefined;
  #defaultsNamespace: string | undefined;
  #crdInformer: Informer | undefined;
  /** Why the CRD could not be listed, until it is listed once. */
  #crdListError: Error | undefined;
  #liveSchema: LiveSchema | undefined;
  #schema: SchemaReading | undefined;

  #operator: Good<OperatorReading> | undefined;
  #defaults: Good<DefaultsReading> | undefined;
  #teams = new Map<string, Good<PostgresTeamSource>>();
  /** The input each rejection was reported for, so that one bad object is reported once. */
  #rejected = new Map<string, string>();

  #snapshot: PolicySnapshot | undefined;
  #snapshotFingerprint = '';
  #listeners: ((event: ReloadEvent) => void)[] = [];
  #firstSnapshot: { resolve(snapshot: PolicySnapshot): void; reject(error: Error): void } | undefined;
  #rebuildScheduled = false;
  #closed = false;

  constructor(settings: ClusterSettings, options: ClusterPolicySourceOptions = {}) {
    this.settings = settings;
    this.#options = options;
    this.#logger = options.logger ?? SILENT;
  }

  /** Where log lines go (the webhook's logger exists only once the webhook is created). */
  useLogger(logger: ClusterPolicyLogger): void {
    this.#logger = logger;
  }

  /**
   * Connects and starts the informers; resolves with the first snapshot, once everything has been
   * listed and read well. Rejects at once when the kubeconfig cannot be used, and on close().
   */
  async start(): Promise<PolicySnapshot> {
    const env = this.#options.env ?? process.env;
    const { kubeconfig, context } = this.settings;
    this.#client = await KubeClient.connect({
      ...(kubeconfig === undefined ? {} : { kubeconfig }),
      ...(context === undefined ? {} : { context }),
      env,
    });
    if (this.settings.defaults !== undefined) {
      this.#defaultsNamespace =
        this.settings.defaults.namespace ?? env.POD_NAMESPACE ?? this.#client.namespace;
      if (this.#defaultsNamespace === undefined) {
        throw new ClusterPolicyError(
          `the defaults ConfigMap "${this.settings.defaults.name}" has no namespace: write namespace/name, or set POD_NAMESPACE`,
        );
      }
    }
    this.#liveSchema = new LiveSchema(await shippedSchemas());
    const first = new Promise<PolicySnapshot>((resolve, reject) => {
      this.#firstSnapshot = { resolve, reject };
    });
    this.#startInformers();
    return first;
  }

  current(): PolicySnapshot | undefined {
    return this.#snapshot;
  }

  onReload(listener: (event: ReloadEvent) => void): void {
    this.#listeners.push(listener);
  }

  /** Every informer, for diagnostics and tests. */
  informers(): Informer[] {
    return [
      this.#deploymentInformer,
      this.#configInformer,
      ...this.#teamInformers,
      this.#defaultsInformer,
      this.#crdInformer,
    ].filter((informer): informer is Informer => informer !== undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#firstSnapshot?.reject(new Error('closed before the policy was read from the cluster'));
    this.#firstSnapshot = undefined;
    await Promise.all(this.informers().map((informer) => informer.stop()));
  }

  // -------------------------------------------------------------------------------------------------

  #informer(type: Informer['type'], where: { namespace?: string; name?: string }): Informer {
    const client = this.#client;
    if (client === undefined) throw new Error('not started');
    const informer = new Informer({
      ...this.#options.informers,
      client,
      type,
      ...where,
      onChange: () => this.#scheduleRebuild(),
      onProblem: (source, problem) => this.#informerProblem(source, problem),
    });
    informer.start();
    return informer;
  }

  #startInformers(): void {
    const settings = this.settings;
    if (readsDeployment(settings)) {
      this.#deploymentInformer = this.#informer(DEPLOYMENTS, {
        namespace: settings.operatorNamespace,
        name: settings.operatorDeployment ?? DEFAULT_OPERATOR_DEPLOYMENT,
      });
    } else {
      const ref = configRefFromSelection(operatorSelection(settings));
      if (ref !== undefined) this.#followConfig(ref);
    }
    const namespaces = settings.teamsNamespaces.length === 0 ? [undefined] : settings.teamsNamespaces;
    this.#teamInformers = namespaces.map((namespace) =>
      this.#informer(POSTGRES_TEAMS, namespace === undefined ? {} : { namespace }),
    );
    if (settings.defaults !== undefined && this.#defaultsNamespace !== undefined) {
      this.#defaultsInformer = this.#informer(CONFIG_MAPS, {
        namespace: this.#defaultsNamespace,
        name: settings.defaults.name,
      });
    }
    this.#crdInformer = this.#informer(CUSTOM_RESOURCE_DEFINITIONS, { name: POSTGRESQL_CRD });
  }

  /** Watches the configuration object `ref` (and stops watching the previous one). */
  #followConfig(ref: OperatorConfigRef): void {
    if (sameRef(this.#configRef, ref)) return;
    const previous = this.#configInformer;
    this.#configRef = ref;
    this.#configInformer = this.#informer(configTypeOf(ref), { namespace: ref.namespace, name: ref.name });
    if (previous !== undefined) {
      this.#logger.info(
        { configuration: describeRef(ref), via: ref.via },
        'the operator configuration moved',
      );
      void previous.stop();
    }
  }

  #informerProblem(informer: Informer, problem: InformerProblem): void {
    if (informer === this.#crdInformer && !informer.synced && problem.phase === 'list' && problem.error) {
      // Not readable (yet): judge with the built-in schema meanwhile rather than stay unready.
      this.#crdListError = problem.error;
      this.#scheduleRebuild();
    }
    const fields = {
      resource: informer.label,
      phase: problem.phase,
      reason: problem.reason,
      ...(problem.error !== undefined && { error: problem.error.message }),
      ...(problem.retryInMs !== undefined && { retryInMs: problem.retryInMs }),
    };
    if (problem.reason === 'missing') {
      this.#logger.warn(
        fields,
        'the API server does not serve this resource: treated as empty, looked for again later',
      );
      return;
    }
    this.#options.metrics?.watchRestart(informer.type.resource, problem.reason);
    if (problem.reason === 'gone') this.#logger.info(fields, 'watch expired (410 Gone): listing again');
    else this.#logger.warn(fields, 'list/watch of the API server failed: retrying; the policy in use stays');
  }

  #scheduleRebuild(): void {
    if (this.#rebuildScheduled || this.#closed) return;
    this.#rebuildScheduled = true;
    // Changes that arrive together (a list, a burst of events) make one snapshot.
    setImmediate(() => {
      this.#rebuildScheduled = false;
      if (!this.#closed) this.#rebuild();
    });
  }

  /** Reports an object that cannot be used, once per input; the last good reading stays. */
  #reject(
    source: PolicyErrorSource,
    object: { kind: string; namespace: string; name: string },
    input: string,
    detail: string,
    log?: { level: 'warn'; message: string },
  ): void {
    const key = `${source} ${describeObject(object.kind, object.namespace, object.name)}`;
    const seen = `${input} ${detail}`;
    if (this.#rejected.get(key) === seen) return;
    this.#rejected.set(key, seen);
    const error = new ClusterObjectError(source, object, detail);
    const fields = {
      source,
      kind: object.kind,
      ...(object.namespace !== '' && { namespace: object.namespace }),
      name: object.name,
      // The error names the object itself where the detail does not (the CRD's details never do).
      error: log === undefined ? detail : error.message,
    };
    if (log !== undefined) this.#logger[log.level](fields, log.message);
    else {
      this.#logger.error(
        fields,
        this.#snapshot === undefined
          ? 'cluster object rejected: not ready until it can be read'
          : 'cluster object rejected: keeping the last good policy',
      );
    }
    this.#options.metrics?.policyError(source);
    if (this.#snapshot !== undefined) for (const listener of this.#listeners) listener({ error });
  }

  /** The CRD as the informer knows it now. */
  #crdState(): CrdState {
    const informer = this.#crdInformer;
    if (informer?.synced) return { kind: 'listed', object: informer.objects()[0] };
    if (this.#crdListError !== undefined) return { kind: 'unreadable', error: this.#crdListError };
    return { kind: 'pending' };
  }

  /** The schema to judge with; a CRD that cannot be used is reported once per version, never blocks. */
  #readSchema(): void {
    const read = this.#liveSchema?.read(this.#crdState());
    if (read === undefined) return;
    const where = { kind: 'CustomResourceDefinition', namespace: '', name: POSTGRESQL_CRD };
    if (read.problem !== undefined) {
      const instead =
        read.reading.source === 'builtin'
          ? `judging with the ${read.reading.description}`
          : `keeping the last good version (${read.reading.description})`;
      this.#reject('crd', where, read.problem.input, `${read.problem.detail}; ${instead}`, {
        level: 'warn',
        message: `cluster object rejected: ${read.reading.source === 'builtin' ? 'judging with the built-in postgresql schema' : 'keeping the last good postgresql schema'}`,
      });
    } else this.#accepted('crd', where);
    const previous = this.#schema;
    this.#schema = read.reading;
    if (previous?.fingerprint !== read.reading.fingerprint && read.reading.source === 'cluster') {
      this.#logger.info(
        {
          kind: where.kind,
          name: where.name,
          schema: read.reading.description,
          ...(read.reading.release !== undefined && { operatorVersion: read.reading.release }),
        },
        'judging with the postgresql CRD of the cluster',
      );
    }
  }

  #accepted(source: PolicyErrorSource, object: { kind: string; namespace: string; name: string }): void {
    this.#rejected.delete(`${source} ${describeObject(object.kind, object.namespace, object.name)}`);
  }

  /** Deployment mode: the configuration the Deployment names now (following it when it moves). */
  #readDeployment(): OperatorDeployment | undefined {
    const informer = this.#deploymentInformer;
    if (informer === undefined || !informer.synced) return undefined;
    const name = informer.name ?? DEFAULT_OPERATOR_DEPLOYMENT;
    const where = { kind: 'Deployment', namespace: this.settings.operatorNamespace, name };
    const object = informer.objects()[0];
    if (object === undefined) {
      this.#reject(
        'deployment',
        where,
        'missing',
        'not found: is the operator installed there? (--operator-namespace, --operator-deployment)',
      );
      return undefined;
    }
    const deployment = operatorDeploymentOf(object);
    if (deployment === undefined) {
      this.#reject(
        'deployment',
        where,
        object.metadata.resourceVersion ?? '',
        'sets neither CONFIG_MAP_NAME nor POSTGRES_OPERATOR_CONFIGURATION_OBJECT: is it the postgres-operator? (or name the configuration with --operator-config-name / --operator-configuration-name)',
      );
      return undefined;
    }
    const ref = configRefOf(deployment);
    if ('problem' in ref) {
      this.#reject('deployment', where, deploymentFingerprint(deployment), ref.problem);
      return undefined;
    }
    this.#accepted('deployment', where);
    this.#followConfig(ref);
    return deployment;
  }

  /** The operator's policy as now readable; undefined while not (then the last good one is kept). */
  #readOperator(): void {
    const deployment = readsDeployment(this.settings) ? this.#readDeployment() : undefined;
    if (readsDeployment(this.settings) && deployment === undefined) return;
    const informer = this.#configInformer;
    const ref = this.#configRef;
    if (informer === undefined || ref === undefined || !informer.synced) return;
    const config = informer.objects()[0];
    const release = this.#schema?.release;
    const fingerprint = `${describeRef(ref)}@${config?.metadata.resourceVersion ?? 'missing'} ${deployment === undefined ? '' : deploymentFingerprint(deployment)} ${release ?? ''}`;
    if (this.#operator?.fingerprint === fingerprint) return;
    if (config === undefined) {
      this.#reject('operator-config', ref, fingerprint, `not found (named by ${ref.via})`);
      return;
    }
    try {
      const read = operatorPolicyFromObjects(
        config,
        ref,
        deployment,
        release === undefined ? {} : { release },
      );
      const sources = [
        ...(deployment === undefined
          ? []
          : [describeObject('Deployment', deployment.namespace, deployment.name)]),
        `${describeRef(ref)} (named by ${ref.via})`,
      ];
      this.#operator = { value: { ...read, sources }, fingerprint };
      this.#accepted('operator-config', ref);
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error;
      this.#reject('operator-config', ref, fingerprint, error.message);
    }
  }

  #readDefaults(): void {
    const informer = this.#defaultsInformer;
    const settings = this.settings.defaults;
    if (informer === undefined || settings === undefined || !informer.synced) return;
    const where = { kind: 'ConfigMap', namespace: this.#defaultsNamespace ?? '', name: settings.name };
    const object = informer.objects()[0];
    const fingerprint = object?.metadata.resourceVersion ?? 'missing';
    if (this.#defaults?.fingerprint === fingerprint) return;
    if (object === undefined) {
      this.#reject('defaults', where, fingerprint, 'not found (--defaults-configmap)');
      return;
    }
    const data = (object as { data?: unknown }).data;
    const text =
      data !== null && typeof data === 'object' ? (data as Record<string, unknown>)[settings.key] : undefined;
    if (typeof text !== 'string') {
      this.#reject(
        'defaults',
        where,
        fingerprint,
        `has no data key "${settings.key}" holding the DefaultsPolicy (--defaults-key)`,
      );
      return;
    }
    const source = `${describeObject('ConfigMap', where.namespace, where.name)} (${settings.key})`;
    try {
      this.#defaults = { value: { defaults: loadDefaultsPolicy(text, source), source }, fingerprint };
      this.#accepted('defaults', where);
    } catch (error) {
      if (!(error instanceof DefaultsPolicyError)) throw error;
      this.#reject('defaults', where, fingerprint, error.message);
    }
  }

  /** Each PostgresTeam read on its own: a bad one keeps its last good reading, or is left out. */
  #readTeams(): void {
    const present = new Set<string>();
    for (const informer of this.#teamInformers) {
      for (const object of informer.objects()) {
        const key = objectKey(object);
        present.add(key);
        const fingerprint = object.metadata.resourceVersion ?? '';
        if (this.#teams.get(key)?.fingerprint === fingerprint) continue;
        const where = {
          kind: 'PostgresTeam',
          namespace: object.metadata.namespace ?? '',
          name: object.metadata.name,
        };
        try {
          this.#teams.set(key, { value: postgresTeamSourceOf(object), fingerprint });
          this.#accepted('postgresteam', where);
        } catch (error) {
          if (!(error instanceof PolicyError)) throw error;
          const kept = this.#teams.has(key) ? 'its last good version stays in use' : 'it is left out';
          this.#reject('postgresteam', where, fingerprint, `${error.message} (${kept})`);
        }
      }
    }
    for (const key of [...this.#teams.keys()]) if (!present.has(key)) this.#teams.delete(key);
  }

  /** Every informer listed once; the CRD's only needs to have been tried. */
  #synced(): boolean {
    return this.informers().every((informer) => informer === this.#crdInformer || informer.synced);
  }

  #rebuild(): void {
    // The schema first: its release decides the defaults the operator configuration is read with.
    this.#readSchema();
    this.#readOperator();
    this.#readDefaults();
    this.#readTeams();
    const operator = this.#operator;
    const schema = this.#schema;
    if (!this.#synced() || operator === undefined || schema === undefined) return;
    if (this.settings.defaults !== undefined && this.#defaults === undefined) return;
    const { policy } = operator.value;
    const counts = teamNamespaceFilter(policy);
    const teams = [...this.#teams]
      .filter(([key]) => counts(key.slice(0, Math.max(0, key.indexOf('/')))))
      .sort(([a], [b]) => a.localeCompare(b));
    const fingerprint = [
      schema.fingerprint,
      operator.fingerprint,
      this.#defaults?.fingerprint ?? '',
      ...teams.map(([key, good]) => `${key}@${good.fingerprint}`),
    ].join('\n');
    if (fingerprint === this.#snapshotFingerprint) return;

    // Built in full before it is swapped in: a request sees the old snapshot or this one, never a mix.
    const directory =
      teams.length === 0
        ? undefined
        : clusterTeamDirectory(
            teams.map(([, good]) => good.value),
            policy,
          );
    const defaults = this.#defaults?.value;
    const snapshot: PolicySnapshot = {
      policy,
      ...(defaults !== undefined && { defaults: defaults.defaults }),
      ...(directory !== undefined && { teams: directory }),
      ...(schema.schema !== undefined && { schema: schema.schema }),
      loadedAt: (this.#options.clock ?? (() => new Date()))(),
      sources: [
        ...operator.value.sources,
        ...(defaults === undefined ? [] : [defaults.source]),
        `${teams.length} PostgresTeam object${teams.length === 1 ? '' : 's'}`,
        schema.description,
      ],
      warnings: [...operator.value.warnings, ...(directory?.notes ?? [])],
    };
    this.#snapshotFingerprint = fingerprint;
    const first = this.#snapshot === undefined;
    this.#snapshot = snapshot;
    this.#options.metrics?.schemaSource(schema.source);
    if (first) {
      this.#firstSnapshot?.resolve(snapshot);
      this.#firstSnapshot = undefined;
      return;
    }
    for (const listener of this.#listeners) listener({ snapshot });
  }
}
