/**
 * `acid-guard audit`: lints the `postgresql` objects a cluster already holds — admitted before the
 * webhook existed, or while it ran with `failurePolicy: Ignore` — with the operator policy and team data
 * read from the same cluster, the way the webhook reads them. Bundled apart (dist/audit-command.cjs):
 * it brings @kubernetes/client-node, which a lint run must never load.
 */
import { parseArgs } from 'node:util';
import { type ClusterPolicy, ClusterPolicyError, readClusterPolicy } from '../cluster/cluster-policy.js';
import { readClusterSchema } from '../cluster/cluster-schema.js';
import { KubeApiError, KubeClient, KubeConfigError } from '../cluster/kube-client.js';
import { renderObject } from '../cluster/render-object.js';
import { type KubeObject, objectKey, POSTGRESQL_CRD_NAME, POSTGRESQLS } from '../cluster/resource-types.js';
import { lintText } from '../lint-text.js';
import { PolicyError } from '../policy/policy-error.js';
import { COLOR, PLAIN } from '../report/colors.js';
import type { FileResult } from '../report/file-result.js';
import { FORMATS, type Format, formatResults, isFormat } from '../report/format.js';
import { builtinSchema } from '../schema/compiled-schema.js';
import { shippedSchemas } from '../schema/operator-versions.js';
import { EXIT } from './exit-codes.js';
import { type Judge, judgeOf, judgeWith } from './judge-with.js';
import { checkRulePatterns } from './rules-command.js';
import type { Terminal } from './terminal.js';
import { ToolError } from './tool-error.js';

export const AUDIT_HELP = `acid-guard audit — lint the postgresql objects of a cluster, with the operator policy it runs with

Usage: acid-guard audit [options]

  -n, --namespace NS               the objects of this namespace (default: the context's, else "default")
  -A, --all-namespaces             the objects of every namespace
      --kubeconfig FILE            the kubeconfig (default: KUBECONFIG, ~/.kube/config, or in-cluster)
      --context NAME               a context of the kubeconfig (default: its current context)
  -f, --format FORMAT              text (default), json, sarif, junit, github; "file" is namespace/name
      --operator-namespace NS      where the postgres-operator runs (default: search every namespace)
      --operator-deployment NAME   its Deployment, whose env names its configuration
      --operator-config-name NAME  its ConfigMap, named directly (needs --operator-namespace)
      --operator-configuration-name NAME
                                   its OperatorConfiguration, named directly (needs --operator-namespace)
      --crd FILE                   judge with this postgresql CRD instead of the cluster's own
      --operator-version VER       judge with the CRD and defaults of a shipped operator release (2.0.1, 1.15.1)
      --disable RULE               silence a rule or a family (users/*) for this run (repeatable)
      --require-known-team         a teamId the cluster's PostgresTeam data does not know is an error
      --color / --no-color         force colour on or off (default: on for a terminal, off with NO_COLOR)

Without --crd or --operator-version, the schema is the cluster's CRD postgresqls.acid.zalan.do (the
built-in one of operator v2.0.1, with a warning, when it cannot be read); its release's defaults fill
in what the operator configuration leaves out. Which schema and policy were used is said on stderr.

Each object is written out as YAML (without metadata.managedFields, as kubectl get -o yaml shows it)
and linted like a file: line:column refer to that rendering. Exit codes: 0 no errors, 1 errors found,
2 the tool failed (bad flag, unusable kubeconfig, a request the API server refused or never answered).
`;

export interface AuditOptions {
  kubeconfig?: string;
  context?: string;
  /** The namespace to audit; undefined with `allNamespaces`. */
  namespace?: string;
  allNamespaces: boolean;
  format: Format;
  color: boolean;
  disable: string[];
  requireKnownTeam: boolean;
  operatorNamespace?: string;
  operatorDeployment?: string;
  operatorConfigMap?: string;
  operatorConfiguration?: string;
  /** A CRD file to judge with (`--crd`), instead of the cluster's CRD. */
  crd?: string;
  /** A shipped operator release to judge with (`--operator-version`), instead of the cluster's CRD. */
  operatorVersion?: string;
  /** Items per list request (default 500). */
  pageSize?: number;
}

/** Runs node:util parseArgs, turning its errors into a usage error (exit 2). */
function usage<R>(parse: () => R): R {
  try {
    return parse();
  } catch (error) {
    throw new ToolError('USAGE', `${(error as Error).message.split('\n')[0]} (try acid-guard audit --help)`);
  }
}

/** `acid-guard audit ARGS`: reads the flags, runs the audit, returns the exit code. */
export async function auditMain(args: readonly string[], terminal: Terminal): Promise<number> {
  const { values, positionals } = usage(() =>
    parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        namespace: { type: 'string', short: 'n' },
        'all-namespaces': { type: 'boolean', short: 'A' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        format: { type: 'string', short: 'f', default: 'text' },
        'operator-namespace': { type: 'string' },
        'operator-deployment': { type: 'string' },
        'operator-config-name': { type: 'string' },
        'operator-configuration-name': { type: 'string' },
        crd: { type: 'string' },
        'operator-version': { type: 'string' },
        disable: { type: 'string', multiple: true, default: [] },
        'require-known-team': { type: 'boolean' },
        'page-size': { type: 'string' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) {
    terminal.stdout.write(AUDIT_HELP);
    return EXIT.OK;
  }
  if (positionals.length > 0) {
    throw new ToolError(
      'USAGE',
      `audit reads the cluster and takes no paths (got ${positionals[0]}); for files use acid-guard lint`,
    );
  }
  if (values.namespace !== undefined && values['all-namespaces']) {
    throw new ToolError('USAGE', '-n/--namespace and -A/--all-namespaces exclude each other');
  }
  const pageSize = values['page-size'];
  if (pageSize !== undefined && !/^[1-9]\d{0,5}$/.test(pageSize)) {
    throw new ToolError('USAGE', `--page-size: "${pageSize}" is not a whole number from 1 to 999999`);
  }
  const optional = <K extends string>(key: K, value: string | undefined) =>
    value === undefined ? {} : ({ [key]: value } as Record<K, string>);
  return auditCommand(
    {
      ...optional('kubeconfig', values.kubeconfig),
      ...optional('context', values.context),
      ...optional('namespace', values.namespace),
      allNamespaces: values['all-namespaces'] === true,
      format: values.format as Format,
      color: values['no-color']
        ? false
        : (values.color ?? (terminal.stdout.isTTY === true && !terminal.env.NO_COLOR)),
      disable: values.disable,
      requireKnownTeam: values['require-known-team'] === true,
      ...optional('operatorNamespace', values['operator-namespace']),
      ...optional('operatorDeployment', values['operator-deployment']),
      ...optional('operatorConfigMap', values['operator-config-name']),
      ...optional('operatorConfiguration', values['operator-configuration-name']),
      ...optional('crd', values.crd),
      ...optional('operatorVersion', values['operator-version']),
      ...(pageSize === undefined ? {} : { pageSize: Number(pageSize) }),
    },
    terminal,
  );
}

/** One line on stderr that rewrites itself — only on a terminal, never into a pipe or a log. */
class ProgressLine {
  #last = 0;
  #shown = false;

  constructor(readonly stream: { write(text: string): unknown }) {}

  show(text: string, force = false): void {
    const now = Date.now();
    if (!force && this.#shown && now - this.#last < 100) return;
    this.#last = now;
    this.#shown = true;
    this.stream.write(`\r${text}\u001b[K`);
  }

  clear(): void {
    if (this.#shown) this.stream.write('\r\u001b[K');
    this.#shown = false;
  }
}

/** A request, a kubeconfig or a configuration that failed: one line, exit 2. */
function toolFailure(error: unknown): ToolError | undefined {
  if (error instanceof KubeApiError || error instanceof KubeConfigError) {
    return new ToolError('UNREADABLE', error.message);
  }
  if (error instanceof ClusterPolicyError || error instanceof PolicyError) {
    return new ToolError('BAD_POLICY', error.message);
  }
  return undefined;
}

/** `acid-guard audit`: returns the exit code; the report goes to stdout, progress and notes to stderr. */
export async function auditCommand(options: AuditOptions, terminal: Terminal): Promise<number> {
  if (!isFormat(options.format)) {
    throw new ToolError('USAGE', `unknown format "${options.format}" (use ${FORMATS.join(', ')})`);
  }
  checkRulePatterns(options.disable);
  // A schema given on the command line is read before the cluster is: its problems are the user's.
  const given =
    options.crd === undefined && options.operatorVersion === undefined
      ? undefined
      : await judgeWith(options.crd, options.operatorVersion, terminal);
  const stderrIsTty = (terminal.stderr as { isTTY?: boolean }).isTTY === true;
  const progress = stderrIsTty ? new ProgressLine(terminal.stderr) : undefined;
  try {
    return await audit(options, given, terminal, progress);
  } catch (error) {
    progress?.clear();
    throw toolFailure(error) ?? error;
  }
}

/**
 * The cluster's own schema, from its CRD; the built-in one, with a warning on stderr, when the CRD
 * cannot be read (403, not found) or cannot serve as a schema.
 */
async function clusterJudge(
  client: KubeClient,
  terminal: Terminal,
  progress: ProgressLine | undefined,
): Promise<Judge> {
  progress?.show(`reading CustomResourceDefinition ${POSTGRESQL_CRD_NAME}…`, true);
  const read = await readClusterSchema(client, await shippedSchemas());
  if ('schema' in read) return judgeOf(read.schema);
  progress?.clear();
  terminal.stderr.write(
    `acid-guard: warning: cannot judge with the cluster's CRD: ${read.problem}; judging with the ${builtinSchema().origin} schema instead (give the CRD with --crd, or the release with --operator-version)\n`,
  );
  return {};
}

async function audit(
  options: AuditOptions,
  given: Judge | undefined,
  terminal: Terminal,
  progress: ProgressLine | undefined,
): Promise<number> {
  const client = await KubeClient.connect({
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
    ...(options.context === undefined ? {} : { context: options.context }),
    env: terminal.env,
  });
  const judge = given ?? (await clusterJudge(client, terminal, progress));
  const cluster: ClusterPolicy = await readClusterPolicy(
    client,
    {
      ...(options.operatorNamespace === undefined ? {} : { namespace: options.operatorNamespace }),
      ...(options.operatorDeployment === undefined ? {} : { deployment: options.operatorDeployment }),
      ...(options.operatorConfigMap === undefined ? {} : { configMap: options.operatorConfigMap }),
      ...(options.operatorConfiguration === undefined
        ? {}
        : { operatorConfiguration: options.operatorConfiguration }),
    },
    {
      onStep: (step) => progress?.show(`${step}…`, true),
      ...(judge.release === undefined ? {} : { release: judge.release }),
    },
  );
  progress?.clear();
  for (const warning of cluster.warnings) terminal.stderr.write(`acid-guard: warning: ${warning}\n`);
  terminal.stderr.write(`acid-guard: note: judging with ${cluster.description}\n`);
  terminal.stderr.write(`acid-guard: note: schema: ${(judge.schema ?? builtinSchema()).origin}\n`);

  const namespace = options.allNamespaces ? undefined : (options.namespace ?? client.namespace ?? 'default');
  const where = namespace === undefined ? 'all namespaces' : `namespace ${namespace}`;
  progress?.show(`listing postgresqls in ${where}…`, true);
  let objects: KubeObject[];
  try {
    const listed = await client.list(POSTGRESQLS, {
      ...(namespace === undefined ? {} : { namespace }),
      ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
      onPage: (read, remaining) =>
        progress?.show(
          `listing postgresqls in ${where}: ${read}${remaining === undefined || remaining === 0 ? '' : ` of ${read + remaining}`}…`,
        ),
    });
    objects = listed.items;
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) {
      throw new ToolError(
        'UNREADABLE',
        `${error.request}: 404: the API server does not serve postgresql objects (acid.zalan.do/v1): is the postgres-operator's CRD installed, and is this the right context?`,
      );
    }
    throw error;
  }
  objects.sort((a, b) => objectKey(a).localeCompare(objectKey(b)));

  const results: FileResult[] = [];
  const lint = {
    policy: cluster.policy,
    disable: options.disable,
    ...(judge.schema ? { schema: judge.schema } : {}),
    ...(cluster.teams ? { teams: cluster.teams } : {}),
    ...(options.requireKnownTeam ? { requireKnownTeam: true } : {}),
  };
  for (const [i, object] of objects.entries()) {
    progress?.show(`linting ${i + 1}/${objects.length}: ${objectKey(object)}`, i === 0);
    const text = renderObject(object);
    results.push({ file: objectKey(object), text, ...lintText(text, lint) });
  }
  progress?.clear();
  const palette = options.color && options.format === 'text' ? COLOR : PLAIN;
  terminal.stdout.write(formatResults(options.format, results, palette));
  if (objects.length === 0) terminal.stderr.write(`acid-guard: note: no postgresql objects in ${where}\n`);
  return results.some((r) => r.errors > 0) ? EXIT.FINDINGS : EXIT.OK;
}
