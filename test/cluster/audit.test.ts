import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../packages/validator/src/cli/main.js';
import { FakeApiServer, writeKubeconfig } from '../support/fake-api-server.js';
import {
  OPERATOR_NAMESPACE,
  operatorConfigMap,
  operatorDeployment,
  postgresql,
  postgresTeam,
} from './fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'packages/validator/bin/acid-guard.cjs');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `acid-guard audit ARGS` in-process, through the CLI's entry (tool failures: exit 2, one line). */
async function audit(
  args: string[],
  options: { env?: Record<string, string>; stderrTty?: boolean } = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const terminal = {
    stdin: Readable.from([]),
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text), isTTY: options.stderrTty ?? false },
    env: options.env ?? {},
  };
  const code = await main(['audit', ...args], terminal);
  return { code, stdout, stderr };
}

let fake: FakeApiServer;
let folder: string;
let kubeconfig: string;

beforeAll(async () => {
  fake = await FakeApiServer.start({ token: 't0ken' });
  folder = mkdtempSync(join(tmpdir(), 'acid-guard-audit-'));
  kubeconfig = writeKubeconfig(folder, fake, { token: 't0ken', namespace: 'apps' });
  fake.apply(
    'deployments',
    operatorDeployment({ CONFIG_MAP_NAME: 'postgres-operator', WATCHED_NAMESPACE: '*' }),
  );
  fake.apply('configmaps', operatorConfigMap({ max_instances: '3', enable_postgres_team_crd: 'true' }));
  fake.apply('postgresteams', postgresTeam('apps', 'acid-team', { additionalMembers: { acid: ['jdoe'] } }));
  // A warning (the operator clamps 5 instances to max_instances 3) and an error (a user who is a team member).
  fake.apply('postgresqls', postgresql('apps', 'acid-big', { numberOfInstances: 5 }));
  fake.apply('postgresqls', postgresql('apps', 'acid-clean'));
  fake.apply('postgresqls', postgresql('data', 'acid-users', { users: { jdoe: [] } }));
});

afterAll(async () => {
  await fake.close();
  rmSync(folder, { recursive: true, force: true });
});

beforeEach(() => {
  fake.requests.length = 0;
});

describe('acid-guard audit: the cluster’s objects, judged with the cluster’s policy', () => {
  it('lints the context’s namespace with the live operator policy; file is namespace/name', async () => {
    const run = await audit(['--kubeconfig', kubeconfig]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('apps/acid-big:');
    expect(run.stdout).toContain('[instances/outside-limits]');
    expect(run.stdout).toContain('(min: -1, max: 3)');
    expect(run.stdout).not.toContain('acid-users');
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(
      '! 1 warning (2 files, 2 postgresql manifests checked)',
    );
    expect(run.stderr).toContain(
      'acid-guard: note: judging with ConfigMap postgres-operator/postgres-operator (named by env CONFIG_MAP_NAME of Deployment postgres-operator/postgres-operator); 1 PostgresTeam object\n',
    );
    // No progress line into a pipe.
    expect(run.stderr).not.toContain('\r');
  });

  it('points line:column at the rendering of the object, shown in the code frame', async () => {
    const run = await audit(['--kubeconfig', kubeconfig, '-n', 'apps', '--format', 'json']);
    const report = JSON.parse(run.stdout) as {
      findings: { file: string; line: number; column: number; ruleId: string; path: string }[];
      summary: Record<string, number>;
    };
    const finding = report.findings.find((f) => f.ruleId === 'instances/outside-limits');
    expect(finding).toMatchObject({ file: 'apps/acid-big', path: 'spec.numberOfInstances' });
    const object = fake.get('postgresqls', 'apps', 'acid-big');
    const { renderObject } = await import('../../packages/validator/src/cluster/render-object.js');
    const line = renderObject(object).split('\n')[(finding?.line ?? 0) - 1];
    expect(line?.slice((finding?.column ?? 0) - 1)).toBe('5');
    expect(report.summary).toMatchObject({ files: 2, documents: 2, errors: 0, warnings: 1 });
  });

  it('reads every namespace with -A, and exits 1 for an error (a user who is a team member, from a PostgresTeam)', async () => {
    const run = await audit(['--kubeconfig', kubeconfig, '-A']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^data\/acid-users:\d+:\d+ error spec\.users\[jdoe\]: .*\[team\/member-is-user\]$/m,
    );
    expect(fake.requests.some((r) => r.resource === 'postgresqls' && r.namespace === undefined)).toBe(true);
  });

  it('speaks every lint format: SARIF results and GitHub annotations name namespace/name', async () => {
    const sarif = await audit(['--kubeconfig', kubeconfig, '-A', '-f', 'sarif']);
    expect(sarif.code).toBe(1);
    const results = (
      JSON.parse(sarif.stdout) as {
        runs: {
          results: {
            ruleId: string;
            locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
          }[];
        }[];
      }
    ).runs[0]?.results;
    expect(
      results?.map((r) => [r.ruleId, r.locations[0]?.physicalLocation.artifactLocation.uri]),
    ).toContainEqual(['team/member-is-user', 'data/acid-users']);
    const github = await audit(['--kubeconfig', kubeconfig, '-A', '-f', 'github']);
    expect(github.stdout).toMatch(/^::error file=data\/acid-users,line=\d+,col=\d+/m);
  });

  it('follows the policy as it is now: a changed ConfigMap changes the verdict', async () => {
    fake.apply('configmaps', operatorConfigMap({ max_instances: '-1', enable_postgres_team_crd: 'true' }));
    const run = await audit(['--kubeconfig', kubeconfig]);
    fake.apply('configmaps', operatorConfigMap({ max_instances: '3', enable_postgres_team_crd: 'true' }));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('✔ no problems (2 files, 2 postgresql manifests checked)');
  });

  it('pages through long lists and shows a progress line on a terminal only', async () => {
    const run = await audit(['--kubeconfig', kubeconfig, '-A', '--page-size', '1'], { stderrTty: true });
    expect(fake.requests.filter((r) => r.resource === 'postgresqls').map((r) => r.query.limit)).toEqual([
      '1',
      '1',
      '1',
    ]);
    expect(run.stderr).toContain('\rlinting 1/3: apps/acid-big');
    expect(run.stderr).toContain('\rlisting postgresqls in all namespaces');
    // The line is cleared before the report, and the report itself has none of it.
    expect(run.stderr).toContain('\r\u001b[K');
    expect(run.stdout).not.toContain('\r');
  });

  it('is a tool failure (exit 2) naming the request the API server refused', async () => {
    fake.failNext(
      { resource: 'postgresqls' },
      403,
      'postgresqls.acid.zalan.do is forbidden: User "dev" cannot list resource "postgresqls" in API group "acid.zalan.do" in the namespace "apps"',
    );
    const run = await audit(['--kubeconfig', kubeconfig]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const failure = run.stderr.split('\n').filter((line) => line.startsWith('acid-guard: GET'));
    expect(failure).toEqual([
      `acid-guard: GET ${fake.url}/apis/acid.zalan.do/v1/namespaces/apps/postgresqls?limit=500: 403 Forbidden: postgresqls.acid.zalan.do is forbidden: User "dev" cannot list resource "postgresqls" in API group "acid.zalan.do" in the namespace "apps"`,
    ]);
  });

  it('is a tool failure when the API server cannot be reached, or has no postgresql CRD', async () => {
    const down = writeKubeconfig(folder, 'http://127.0.0.1:1', { context: 'down' });
    const unreachable = await audit(['--kubeconfig', down]);
    expect(unreachable.code).toBe(2);
    // The first request is for the postgresql CRD (the schema decides the defaults the policy is read with).
    expect(unreachable.stderr).toBe(
      'acid-guard: GET http://127.0.0.1:1/apis/apiextensions.k8s.io/v1/customresourcedefinitions?fieldSelector=metadata.name=postgresqls.acid.zalan.do&limit=500: connect ECONNREFUSED 127.0.0.1:1\n',
    );
    fake.failNext({ resource: 'postgresqls' }, 404, 'the server could not find the requested resource');
    const noCrd = await audit(['--kubeconfig', kubeconfig]);
    expect(noCrd.code).toBe(2);
    expect(noCrd.stderr).toMatch(
      /acid-guard: GET .*postgresqls\?limit=500: 404: the API server does not serve postgresql objects/,
    );
  });

  it('is a tool failure when the operator’s configuration holds a value the operator refuses', async () => {
    fake.apply('configmaps', operatorConfigMap({ max_instances: 'three' }));
    const run = await audit(['--kubeconfig', kubeconfig]);
    fake.apply('configmaps', operatorConfigMap({ max_instances: '3', enable_postgres_team_crd: 'true' }));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^acid-guard: ConfigMap postgres-operator\/postgres-operator: .*max_instances/m,
    );
  });

  it('takes the operator’s configuration by name, without reading any Deployment', async () => {
    const run = await audit([
      '--kubeconfig',
      kubeconfig,
      '--operator-namespace',
      OPERATOR_NAMESPACE,
      '--operator-config-name',
      'postgres-operator',
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      'judging with ConfigMap postgres-operator/postgres-operator (named by --operator-config-name)',
    );
    expect(fake.requests.some((r) => r.resource === 'deployments')).toBe(false);
  });

  it('uses KUBECONFIG and --context like kubectl, and refuses flags that cannot work', async () => {
    const other = writeKubeconfig(folder, fake, { token: 't0ken', namespace: 'data', context: 'data' });
    const run = await audit(['--context', 'data'], { env: { KUBECONFIG: `${kubeconfig}:${other}` } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('data/acid-users:');
    const both = await audit(['--kubeconfig', kubeconfig, '-n', 'x', '-A']);
    expect([both.code, both.stderr]).toEqual([
      2,
      'acid-guard: -n/--namespace and -A/--all-namespaces exclude each other\n',
    ]);
    const path = await audit(['--kubeconfig', kubeconfig, 'cluster.yaml']);
    expect(path.stderr).toMatch(/takes no paths .*for files use acid-guard lint/);
    const context = await audit(['--kubeconfig', kubeconfig, '--context', 'nope']);
    expect(context.stderr).toBe(`acid-guard: context "nope" is not in ${kubeconfig} (it has fake)\n`);
    const format = await audit(['--kubeconfig', kubeconfig, '-f', 'xml']);
    expect(format.stderr).toMatch(/unknown format "xml"/);
  });
});

describe('the built bin (audit bundled apart in dist/audit-command.cjs)', () => {
  it('runs acid-guard audit as a user would, loading @kubernetes/client-node only then', async () => {
    expect(existsSync(BIN), 'build first: npm run build').toBe(true);
    const child = spawn(process.execPath, [BIN, 'audit', '--kubeconfig', kubeconfig, '-A', '-f', 'json'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toContain('acid-guard: note: judging with ConfigMap postgres-operator/postgres-operator');
    expect(code).toBe(1);
    expect((JSON.parse(stdout) as { summary: { files: number } }).summary.files).toBe(3);
  });
});
