import { parseArgs } from 'node:util';
import packageJson from '../../package.json' with { type: 'json' };
import { CONFIGMAP_DEFAULTS } from '../policy/operator-policy.js';
import { buildTeamDirectory } from '../policy/team-directory.js';
import { auditCommandModule, mutateCommandModule } from './command-loader.js';
import { EXIT } from './exit-codes.js';
import { judgeWith } from './judge-with.js';
import { type Format, lintCommand } from './lint-command.js';
import { loadOperatorConfig } from './load-operator-config.js';
import { loadTeams } from './load-teams.js';
import { previousVersionsFromFile } from './previous-versions.js';
import { checkRulePatterns, formatRule, formatRuleList } from './rules-command.js';
import type { Terminal } from './terminal.js';
import { ToolError } from './tool-error.js';

const HELP = `acid-guard — checks Zalando postgres-operator postgresql manifests (acid.zalan.do/v1)

Usage:
  acid-guard lint [paths...]   lint files, directories (*.yaml, *.yml, *.json) or - for stdin
  acid-guard mutate FILE       print FILE with defaults and type repairs applied, as the webhook would
                               (--defaults POLICY, --operator-config FILE, --teams FILE, --crd FILE,
                               --operator-version VER); changes on stderr
  acid-guard audit [options]   lint the postgresql objects of a cluster with the policy the operator
                               runs with (-n NS, -A, --kubeconfig, --context; acid-guard audit --help)
  acid-guard rules             list every rule: id, severity, summary
  acid-guard explain RULE      show one rule: why it matters, a bad and a good example
  acid-guard explain parameter NAME --version N
                               a PostgreSQL parameter of that version: type, unit, range, context
  acid-guard schema [KIND]     print the JSON schema of postgresql (or postgresteam) manifests
  acid-guard --version | --help

lint options:
  -f, --format FORMAT          text (default), json, sarif (code scanning), junit, github (annotations)
      --operator-config FILE   the operator's ConfigMap or OperatorConfiguration (default: the defaults of
                               v2.0.1, or of --operator-version; keys the file leaves out take those too)
      --crd FILE               judge with this postgresql CRD instead of the built-in one (operator v2.0.1):
                               kubectl get crd postgresqls.acid.zalan.do -o yaml > crd.yaml
      --operator-version VER   judge with the CRD and defaults of a shipped operator release (2.0.1, 1.15.1)
      --teams FILE             PostgresTeam manifests or a teams file (team id → logins); repeatable
      --require-known-team     a teamId the team directory does not know is an error
      --old FILE               compare each object with the one of the same namespace/name in FILE (update checks)
      --base REV               compare each file with its version at git revision REV (pre-commit: --base HEAD)
      --disable RULE           silence a rule or a family (users/*) for this run (repeatable)
      --stdin-filename NAME    name to show for stdin (default: <stdin>)
      --color / --no-color     force colour on or off (default: on for a terminal, off with NO_COLOR)

Exit codes: 0 no errors, 1 errors found, 2 the tool failed (bad flag, unreadable path).
`;

/** Runs the CLI with the given arguments and streams; returns the exit code. Never throws. */
export async function main(argv: readonly string[], terminal: Terminal): Promise<number> {
  try {
    return await run(argv, terminal);
  } catch (error) {
    if (ToolError.is(error)) {
      terminal.stderr.write(`acid-guard: ${error.message}\n`);
      return EXIT.TOOL_FAILURE;
    }
    terminal.stderr.write(`acid-guard: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.TOOL_FAILURE;
  }
}

async function run(argv: readonly string[], terminal: Terminal): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      terminal.stdout.write(HELP);
      return command === undefined ? EXIT.TOOL_FAILURE : EXIT.OK;
    case '-v':
    case '--version':
      terminal.stdout.write(`${packageJson.version}\n`);
      return EXIT.OK;
    case 'lint':
      return lint(rest, terminal);
    case 'mutate':
      return mutateFile(rest, terminal);
    case 'audit': {
      // Loaded only for this command: it brings @kubernetes/client-node, which linting never needs.
      const { auditMain } = await auditCommandModule();
      return auditMain(rest, terminal);
    }
    case 'schema':
      return schema(rest, terminal);
    case 'rules':
      usage(() => parseArgs({ args: [...rest], options: {} }));
      terminal.stdout.write(formatRuleList());
      return EXIT.OK;
    case 'explain': {
      const { positionals, values } = usage(() =>
        parseArgs({ args: [...rest], allowPositionals: true, options: { version: { type: 'string' } } }),
      );
      if (positionals[0] === 'parameter') {
        if (positionals.length !== 2 || values.version === undefined) {
          throw new ToolError(
            'USAGE',
            'explain parameter takes a name and --version, e.g. acid-guard explain parameter shared_buffers --version 17',
          );
        }
        const { formatParameter } = await import('./explain-parameter.js');
        terminal.stdout.write(formatParameter(positionals[1] as string, values.version));
        return EXIT.OK;
      }
      if (positionals.length !== 1)
        throw new ToolError('USAGE', 'explain takes one rule id, e.g. acid-guard explain users/invalid-name');
      terminal.stdout.write(formatRule(positionals[0] as string));
      return EXIT.OK;
    }
    default:
      throw new ToolError('UNKNOWN_COMMAND', `unknown command "${command}" (try acid-guard --help)`);
  }
}

/** Runs node:util parseArgs, turning its errors into a usage error (exit 2). */
function usage<R>(parse: () => R): R {
  try {
    return parse();
  } catch (error) {
    throw new ToolError('USAGE', `${(error as Error).message.split('\n')[0]} (try acid-guard --help)`);
  }
}

async function lint(args: readonly string[], terminal: Terminal): Promise<number> {
  const { values, positionals } = usage(() =>
    parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f', default: 'text' },
        disable: { type: 'string', multiple: true, default: [] },
        'operator-config': { type: 'string' },
        crd: { type: 'string' },
        'operator-version': { type: 'string' },
        old: { type: 'string' },
        teams: { type: 'string', multiple: true, default: [] },
        'require-known-team': { type: 'boolean' },
        base: { type: 'string' },
        'stdin-filename': { type: 'string', default: '<stdin>' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) {
    terminal.stdout.write(HELP);
    return EXIT.OK;
  }
  checkRulePatterns(values.disable);
  if (values.old !== undefined && values.base !== undefined) {
    throw new ToolError('USAGE', '--old and --base both give previous versions; use one');
  }
  const judge = await judgeWith(values.crd, values['operator-version'], terminal);
  const configFile = values['operator-config'];
  const policy =
    configFile === undefined ? judge.defaults : await loadOperatorConfig(configFile, terminal, judge.release);
  const colorWanted = values['no-color']
    ? false
    : (values.color ?? (terminal.stdout.isTTY === true && !terminal.env.NO_COLOR));
  return lintCommand(
    {
      paths: positionals,
      format: values.format as Format,
      color: colorWanted,
      stdinName: values['stdin-filename'],
      lint: {
        disable: values.disable,
        ...(policy ? { policy } : {}),
        ...(judge.schema ? { schema: judge.schema } : {}),
        ...(values['require-known-team'] ? { requireKnownTeam: true } : {}),
      },
      teams: await loadTeams(values.teams, terminal),
      policyGiven: configFile !== undefined,
      ...(values.old === undefined ? {} : { old: await previousVersionsFromFile(values.old, terminal) }),
      ...(values.base === undefined ? {} : { base: values.base }),
    },
    terminal,
  );
}

async function mutateFile(args: readonly string[], terminal: Terminal): Promise<number> {
  const { values, positionals } = usage(() =>
    parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        defaults: { type: 'string' },
        'operator-config': { type: 'string' },
        crd: { type: 'string' },
        'operator-version': { type: 'string' },
        teams: { type: 'string', multiple: true, default: [] },
        'stdin-filename': { type: 'string', default: '<stdin>' },
      },
    }),
  );
  if (positionals.length !== 1) {
    throw new ToolError(
      'USAGE',
      'mutate takes one file (or - for stdin), e.g. acid-guard mutate cluster.yaml',
    );
  }
  const judge = await judgeWith(values.crd, values['operator-version'], terminal);
  const configFile = values['operator-config'];
  const loaded =
    configFile === undefined ? undefined : await loadOperatorConfig(configFile, terminal, judge.release);
  const policy = loaded ?? judge.defaults;
  const teamSources = await loadTeams(values.teams, terminal);
  const teams =
    teamSources.length === 0
      ? undefined
      : buildTeamDirectory(teamSources, policy ?? CONFIGMAP_DEFAULTS, {
          honourPostgresTeams: loaded ? loaded.enablePostgresTeamCrd : true,
          honourTeamsFiles: loaded ? loaded.enableTeamsApi : true,
        });
  // Loaded only for this command: it brings the yaml and ajv libraries that linting does not need.
  const { mutateCommand } = await mutateCommandModule();
  return mutateCommand(
    {
      path: positionals[0] as string,
      stdinName: values['stdin-filename'],
      ...(values.defaults === undefined ? {} : { defaultsPath: values.defaults }),
      ...(policy ? { policy } : {}),
      ...(teams ? { teams } : {}),
      ...(judge.schema ? { schema: judge.schema } : {}),
    },
    terminal,
  );
}

async function schema(args: readonly string[], terminal: Terminal): Promise<number> {
  const { positionals } = usage(() => parseArgs({ args: [...args], allowPositionals: true, options: {} }));
  const kind = positionals[0] ?? 'postgresql';
  const { schemaJsonFor } = await import('./schema-command.js');
  terminal.stdout.write(`${JSON.stringify(schemaJsonFor(kind), null, 2)}\n`);
  return EXIT.OK;
}
