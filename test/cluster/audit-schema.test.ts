/**
 * `acid-guard audit` judges with the schema the cluster really runs: its CRD postgresqls.acid.zalan.do
 * (the built-in schema, with a warning, when that cannot be read or used), or the one given with
 * `--crd FILE` / `--operator-version X.Y.Z`. Which one is said on stderr.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../packages/validator/src/cli/main.js';
import { FakeApiServer, writeKubeconfig } from '../support/fake-api-server.js';
import {
  crdWithCelRule,
  customCrd,
  operatorConfigMap,
  operatorDeployment,
  postgresql,
  REFERENCE_CRDS_PRESENT,
  referenceCrd,
} from './fixtures.js';

if (!REFERENCE_CRDS_PRESENT) {
  console.warn('audit schema: the operator CRDs in ../shared/reference are missing; those tests are skipped');
}

const CRD = 'postgresqls.acid.zalan.do';

async function audit(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['audit', '--kubeconfig', kubeconfig, '-f', 'json', ...args], {
    stdin: Readable.from([]),
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
  });
  return { code, stdout, stderr };
}

/** `severity ruleId namespace/name path` of each finding. */
function findings(stdout: string): string[] {
  const report = JSON.parse(stdout) as {
    findings: { file: string; severity: string; ruleId: string; path: string }[];
  };
  return report.findings.map((f) => `${f.severity} ${f.ruleId} ${f.file} ${f.path}`);
}

const crdRequests = () => fake.requests.filter((r) => r.resource === 'customresourcedefinitions');

let fake: FakeApiServer;
let folder: string;
let kubeconfig: string;

beforeAll(async () => {
  fake = await FakeApiServer.start();
  folder = mkdtempSync(join(tmpdir(), 'acid-guard-audit-schema-'));
  kubeconfig = writeKubeconfig(folder, fake, { namespace: 'apps' });
  fake.apply(
    'deployments',
    operatorDeployment({ CONFIG_MAP_NAME: 'postgres-operator', WATCHED_NAMESPACE: '*' }),
  );
  // Sets neither kubernetes_use_configmaps nor the major versions: the release's defaults decide.
  fake.apply('configmaps', operatorConfigMap({ max_instances: '3' }));
  fake.apply('postgresqls', postgresql('apps', 'acid-legacy', { postgresql: { version: '13' } }));
  fake.apply(
    'postgresqls',
    postgresql('apps', 'acid-env', { env: [{ name: 'KUBERNETES_USE_CONFIGMAPS', value: 'true' }] }),
  );
});

afterAll(async () => {
  await fake.close();
  rmSync(folder, { recursive: true, force: true });
});

beforeEach(() => {
  fake.remove('customresourcedefinitions', undefined, CRD);
  fake.clearFailures();
  fake.requests.length = 0;
});

describe('the cluster’s own CRD', () => {
  it.skipIf(!REFERENCE_CRDS_PRESENT)(
    'judges with the v1.15.1 CRD the cluster runs, and with that release’s defaults',
    async () => {
      fake.apply('customresourcedefinitions', referenceCrd('1.15.1'));
      const run = await audit([]);
      expect(run.code).toBe(0);
      // Version 13 is supported; a v1 operator does not set KUBERNETES_USE_CONFIGMAPS itself.
      expect(findings(run.stdout)).toEqual([]);
      expect(run.stderr).toContain(
        `acid-guard: note: schema: CRD ${CRD} of the cluster (that of operator v1.15.1, precompiled)\n`,
      );
      expect(run.stderr).not.toContain('warning');
      expect(crdRequests().map((r) => r.name)).toEqual([CRD]);
    },
  );

  it('compiles a CRD that is no shipped release’s', async () => {
    fake.apply('customresourcedefinitions', customCrd(['13', '17']));
    const run = await audit([]);
    expect(run.stderr).toContain(`acid-guard: note: schema: CRD ${CRD} of the cluster\n`);
    // v2.0.1's defaults: the operator sets KUBERNETES_USE_CONFIGMAPS itself.
    expect(findings(run.stdout)).toEqual(['warning env/reserved-name apps/acid-env spec.env[0].name']);
  });
});

describe('when the cluster’s CRD cannot be used: the built-in schema, with a warning', () => {
  const builtinNote = 'acid-guard: note: schema: built-in (operator v2.0.1)\n';
  const unsupported = 'error schema/enum apps/acid-legacy spec.postgresql.version';

  it('a CRD that is not there', async () => {
    const run = await audit([]);
    expect(run.code).toBe(1);
    expect(findings(run.stdout)).toContain(unsupported);
    expect(run.stderr).toContain(
      `acid-guard: warning: cannot judge with the cluster's CRD: CustomResourceDefinition ${CRD} not found: the postgres-operator registers it when it starts; judging with the built-in (operator v2.0.1) schema instead (give the CRD with --crd, or the release with --operator-version)\n`,
    );
    expect(run.stderr).toContain(builtinNote);
  });

  it('a CRD it may not read (403)', async () => {
    fake.apply('customresourcedefinitions', customCrd(['13']));
    fake.failNext(
      { resource: 'customresourcedefinitions' },
      403,
      `customresourcedefinitions.apiextensions.k8s.io "${CRD}" is forbidden: User "dev" cannot list resource "customresourcedefinitions"`,
    );
    const run = await audit([]);
    expect(run.code).toBe(1);
    expect(findings(run.stdout)).toContain(unsupported);
    const warning = run.stderr.split('\n').find((line) => line.startsWith('acid-guard: warning:'));
    expect(warning).toMatch(
      /^acid-guard: warning: cannot judge with the cluster's CRD: GET .*\/customresourcedefinitions\?fieldSelector=metadata\.name=postgresqls\.acid\.zalan\.do&limit=500: 403 Forbidden: .* is forbidden: .*; judging with the built-in/,
    );
    expect(run.stderr).toContain(builtinNote);
  });

  it('a CRD it cannot judge with (CEL rules)', async () => {
    fake.apply('customresourcedefinitions', crdWithCelRule(customCrd(['13'])));
    const run = await audit([]);
    expect(findings(run.stdout)).toContain(unsupported);
    expect(run.stderr).toMatch(
      /acid-guard: warning: cannot judge with the cluster's CRD: postgresqls\.acid\.zalan\.do of the cluster: the CRD has CEL validation rules/,
    );
    expect(run.stderr).toContain(builtinNote);
  });
});

describe('a schema given on the command line', () => {
  it('--operator-version: the shipped schema and defaults, and the cluster’s CRD is not read', async () => {
    fake.apply('customresourcedefinitions', customCrd(['17']));
    const run = await audit(['--operator-version', '1.15.1']);
    expect(run.code).toBe(0);
    expect(findings(run.stdout)).toEqual([]);
    expect(run.stderr).toContain('acid-guard: note: schema: shipped (operator v1.15.1)\n');
    expect(crdRequests()).toEqual([]);
  });

  it('--crd FILE: that CRD, compiled; the cluster’s CRD is not read', async () => {
    const file = join(folder, 'crd.json');
    writeFileSync(file, JSON.stringify(customCrd(['12'])));
    const run = await audit(['--crd', file]);
    expect(run.code).toBe(1);
    expect(findings(run.stdout)).toEqual([
      'error schema/enum apps/acid-env spec.postgresql.version',
      'warning env/reserved-name apps/acid-env spec.env[0].name',
      'error schema/enum apps/acid-legacy spec.postgresql.version',
    ]);
    expect(run.stderr).toContain(`acid-guard: note: schema: CRD ${file}\n`);
    expect(crdRequests()).toEqual([]);
  });

  it('refuses both at once, an unknown release and an unusable file, before reading the cluster', async () => {
    const both = await audit(['--crd', 'x.yaml', '--operator-version', '1.15.1']);
    expect([both.code, both.stderr]).toEqual([
      2,
      'acid-guard: --crd and --operator-version both choose the schema to judge with; use one\n',
    ]);
    const unknown = await audit(['--operator-version', '9.9.9']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^acid-guard: no schema ships for operator version "9\.9\.9"/);
    const notCrd = join(folder, 'not-a-crd.yaml');
    writeFileSync(notCrd, 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n');
    const bad = await audit(['--crd', notCrd]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${notCrd}: not a CustomResourceDefinition`);
    expect(fake.requests).toEqual([]);
  });
});
