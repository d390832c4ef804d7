import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../cli/cli-harness.js';

/**
 * Judging with the CRD a cluster really runs: `--crd FILE` and `--operator-version X.Y.Z`, end to end
 * through the CLI. The operator v1.15.1 files come from the reference folder; tests that need them skip
 * visibly without it.
 */

const REFERENCE_V1 = join(ROOT, '..', 'shared', 'reference', 'v1.15.1');
const CRD_V1 = join(REFERENCE_V1, 'postgresql.crd.yaml');
const CRD_V2 = join(ROOT, '..', 'shared', 'reference', 'postgresql.crd.yaml');
const referencePresent = existsSync(CRD_V1) && existsSync(CRD_V2);
if (!referencePresent) {
  console.warn(
    `versions: ${REFERENCE_V1} (or the v2.0.1 CRD beside it) is missing, so the --crd suites are skipped`,
  );
}

function manifest(spec: string): string {
  return `apiVersion: acid.zalan.do/v1
kind: postgresql
metadata:
  name: acid-legacy
spec:
  teamId: acid
  numberOfInstances: 2
  volume:
    size: 1Gi
${spec}`;
}

const VERSION_13 = manifest('  postgresql:\n    version: "13"\n');
const NULL_USER = manifest(
  '  users:\n    app_owner: [createdb]\n    app_reader:\n  databases:\n    app: app_owner\n  postgresql:\n    version: "17"\n',
);
/** init_containers only v1.15.1 knows; envFrom only v2.0.1 knows. */
const INIT_CONTAINERS_OLD = manifest(
  '  init_containers:\n    - name: wait\n      image: busybox:1.36\n  postgresql:\n    version: "17"\n',
);
const ENV_FROM = manifest(
  '  envFrom:\n    - configMapRef:\n        name: app-env\n  postgresql:\n    version: "17"\n',
);

function tempFiles(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'acid-guard-versions-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

interface JsonFinding {
  ruleId: string;
  severity: string;
  path: string;
  message: string;
  hint?: string;
}

async function lintJson(args: string[]): Promise<{ code: number; findings: JsonFinding[]; stderr: string }> {
  const run = await runCli(['lint', '--format', 'json', ...args]);
  const findings = run.stdout === '' ? [] : (JSON.parse(run.stdout).findings as JsonFinding[]);
  return { code: run.code, findings, stderr: run.stderr };
}

const summary = (findings: JsonFinding[]) => findings.map((f) => `${f.severity} ${f.ruleId} ${f.path}`);

describe.skipIf(!referencePresent)('--crd with the operator v1.15.1 CRD', () => {
  it('lints the v1.15.1 examples without errors', async () => {
    const run = await lintJson(['--crd', CRD_V1, join(REFERENCE_V1, 'examples')]);
    expect(run.code).toBe(0);
    expect(run.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const report = await runCli(['lint', '--crd', CRD_V1, join(REFERENCE_V1, 'examples')]);
    expect(report.stdout).toMatch(/\(3 files, 3 postgresql manifests checked\)/);
  });

  it('passes version "13" with the v1.15.1 CRD and fails it without', async () => {
    const file = join(tempFiles({ 'pg13.yaml': VERSION_13 }), 'pg13.yaml');
    const withCrd = await lintJson(['--crd', CRD_V1, file]);
    expect(withCrd.code).toBe(0);
    expect(withCrd.findings).toEqual([]);
    const builtin = await lintJson([file]);
    expect(builtin.code).toBe(1);
    expect(summary(builtin.findings)).toEqual(['error schema/enum spec.postgresql.version']);
    expect(builtin.findings[0]?.message).toBe(
      'PostgreSQL version "13" is not supported; supported: 14, 15, 16, 17, 18',
    );
  });

  it('keeps a null user under v1.15.1 with a warning, and reports it as vanishing under v2', async () => {
    const file = join(tempFiles({ 'null-user.yaml': NULL_USER }), 'null-user.yaml');
    const v1 = await lintJson(['--crd', CRD_V1, file]);
    expect(v1.code).toBe(0);
    expect(summary(v1.findings)).toEqual(['warning schema/null-field spec.users[app_reader]']);
    expect(v1.findings[0]?.message).toContain('the role is created with no flags, as for []');
    expect(v1.findings[0]?.hint).toBe(
      'write app_reader: [], which means the same under every operator release',
    );
    const v2 = await lintJson([file]);
    expect(v2.code).toBe(1);
    expect(summary(v2.findings)).toEqual(['error schema/null-entry spec.users[app_reader]']);
  });

  it('knows the fields of each release: init_containers only in v1.15.1, envFrom only in v2.0.1', async () => {
    const dir = tempFiles({ 'old.yaml': INIT_CONTAINERS_OLD, 'new.yaml': ENV_FROM });
    const oldUnderV1 = await lintJson(['--crd', CRD_V1, join(dir, 'old.yaml')]);
    expect(oldUnderV1.findings).toEqual([]);
    const oldUnderV2 = await lintJson([join(dir, 'old.yaml')]);
    expect(summary(oldUnderV2.findings)).toEqual(['error schema/removed-field spec.init_containers']);

    const newUnderV1 = await lintJson(['--crd', CRD_V1, join(dir, 'new.yaml')]);
    expect(newUnderV1.code).toBe(1);
    expect(summary(newUnderV1.findings)).toEqual(['error schema/unknown-field spec.envFrom']);
    expect(newUnderV1.findings[0]?.message).toContain('came with a later operator release than this CRD');
    expect(newUnderV1.findings[0]?.hint).toBe(
      'operator v2.0.1 has it: upgrade the operator first, or remove envFrom',
    );
    expect((await lintJson([join(dir, 'new.yaml')])).findings).toEqual([]);
  });

  it('judges with the v2.0.1 CRD exactly as with the built-in schema', async () => {
    const examples = join(ROOT, 'examples');
    const builtin = await runCli(['lint', '--format', 'json', examples]);
    const crd = await runCli(['lint', '--format', 'json', '--crd', CRD_V2, examples]);
    expect(crd.code).toBe(builtin.code);
    expect(crd.stdout).toBe(builtin.stdout);
    expect(JSON.parse(crd.stdout).findings.length).toBeGreaterThan(10);
  });

  it('reads the CRD as kubectl get -o json prints it, and from a List', async () => {
    const crd = JSON.parse(JSON.stringify((await import('js-yaml')).load(readFileSync(CRD_V1, 'utf8'))));
    const dir = tempFiles({
      'crd.json': JSON.stringify({ ...crd, status: { acceptedNames: { kind: 'postgresql' } } }),
      'list.json': JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'Namespace' }, crd] }),
      'pg13.yaml': VERSION_13,
    });
    for (const crdFile of ['crd.json', 'list.json']) {
      const run = await lintJson(['--crd', join(dir, crdFile), join(dir, 'pg13.yaml')]);
      expect(run.code, crdFile).toBe(0);
      expect(run.findings, crdFile).toEqual([]);
    }
  });
});

describe('--operator-version', () => {
  it('judges with the shipped v1.15.1 schema: version "13" passes, envFrom is unknown', async () => {
    const dir = tempFiles({ 'pg13.yaml': VERSION_13, 'new.yaml': ENV_FROM, 'null-user.yaml': NULL_USER });
    expect(await lintJson(['--operator-version', '1.15.1', join(dir, 'pg13.yaml')])).toMatchObject({
      code: 0,
      findings: [],
    });
    const envFrom = await lintJson(['--operator-version', 'v1.15.1', join(dir, 'new.yaml')]);
    expect(summary(envFrom.findings)).toEqual(['error schema/unknown-field spec.envFrom']);
    const nullUser = await lintJson(['--operator-version', '1.15.1', join(dir, 'null-user.yaml')]);
    expect(summary(nullUser.findings)).toEqual(['warning schema/null-field spec.users[app_reader]']);
  });

  it('2.0.1 is the built-in schema', async () => {
    const file = join(tempFiles({ 'pg13.yaml': VERSION_13 }), 'pg13.yaml');
    const run = await lintJson(['--operator-version', '2.0.1', file]);
    expect(summary(run.findings)).toEqual(['error schema/enum spec.postgresql.version']);
  });

  it('judges with the release defaults: v1.15.1 does not set KUBERNETES_USE_CONFIGMAPS itself', async () => {
    const spec =
      '  env:\n    - name: KUBERNETES_USE_CONFIGMAPS\n      value: "true"\n  postgresql:\n    version: "17"\n';
    const file = join(tempFiles({ 'env.yaml': manifest(spec) }), 'env.yaml');
    const v2 = await lintJson([file]);
    expect(summary(v2.findings)).toEqual(['warning env/reserved-name spec.env[0].name']);
    const v1 = await lintJson(['--operator-version', '1.15.1', file]);
    expect(v1.findings).toEqual([]);
  });

  it('refuses a release that does not ship, listing those that do', async () => {
    const file = join(tempFiles({ 'pg13.yaml': VERSION_13 }), 'pg13.yaml');
    const run = await runCli(['lint', '--operator-version', '9.9.9', file]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'acid-guard: no schema ships for operator version "9.9.9": shipped are 2.0.1, 1.15.1; for another release give its CRD with --crd (kubectl get crd postgresqls.acid.zalan.do -o yaml)\n',
    );
  });

  it('cannot be combined with --crd', async () => {
    const dir = tempFiles({ 'pg13.yaml': VERSION_13, 'crd.yaml': 'kind: CustomResourceDefinition\n' });
    const run = await runCli([
      'lint',
      '--crd',
      join(dir, 'crd.yaml'),
      '--operator-version',
      '1.15.1',
      join(dir, 'pg13.yaml'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '--crd and --operator-version both choose the schema to judge with; use one',
    );
  });
});

/** A small CRD of postgresqls.acid.zalan.do around a spec schema, for the failure cases. */
function crdWith(specSchema: string, head = 'apiVersion: apiextensions.k8s.io/v1'): string {
  return `${head}
kind: CustomResourceDefinition
metadata:
  name: postgresqls.acid.zalan.do
spec:
  group: acid.zalan.do
  names: { kind: postgresql, plural: postgresqls }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
${specSchema}`;
}

describe('--crd failures are tool failures that name the file', () => {
  const cases: [string, string, RegExp][] = [
    [
      'a CEL rule',
      crdWith(
        '              type: object\n              x-kubernetes-validations:\n                - rule: self.numberOfInstances > 0\n',
      ),
      /crd\.yaml: the CRD has CEL validation rules \(x-kubernetes-validations at \.spec\), which acid-guard cannot evaluate/,
    ],
    [
      'an RE2 pattern without an ECMAScript translation',
      crdWith(
        '              type: object\n              properties:\n                teamId:\n                  type: string\n                  pattern: "(?s)^.+$"\n',
      ),
      /crd\.yaml: spec\.teamId: cannot translate RE2 pattern "\(\?s\)\^\.\+\$": flags \(\?s\) are not supported/,
    ],
    [
      'not a CRD',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: postgres-operator\n',
      /crd\.yaml: not a CustomResourceDefinition: it holds ConfigMap; give the output of kubectl get crd postgresqls\.acid\.zalan\.do -o yaml/,
    ],
    [
      'the CRD of another resource',
      crdWith('              type: object\n').replace(/group: acid\.zalan\.do/, 'group: example.com'),
      /crd\.yaml: holds no CustomResourceDefinition of postgresqls\.acid\.zalan\.do \(found postgresqls\.example\.com\)/,
    ],
    [
      'a CRD without v1',
      crdWith('              type: object\n').replace('- name: v1', '- name: v2'),
      /crd\.yaml: the CRD has no version v1 \(it has v2\)/,
    ],
    [
      'a CRD without a schema',
      crdWith('              type: object\n').replace(/\n {6}schema:[\s\S]*$/, '\n'),
      /crd\.yaml: the CRD has no openAPIV3Schema for v1/,
    ],
    [
      'YAML it cannot read',
      'kind: [CustomResourceDefinition\n',
      /crd\.yaml: not a CustomResourceDefinition: it cannot be read/,
    ],
  ];
  for (const [what, text, message] of cases) {
    it(`refuses ${what}`, async () => {
      const dir = tempFiles({ 'crd.yaml': text, 'pg13.yaml': VERSION_13 });
      const run = await runCli(['lint', '--crd', join(dir, 'crd.yaml'), join(dir, 'pg13.yaml')]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  it('refuses a missing file', async () => {
    const dir = tempFiles({ 'pg13.yaml': VERSION_13 });
    const run = await runCli(['lint', '--crd', join(dir, 'absent.yaml'), join(dir, 'pg13.yaml')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${join(dir, 'absent.yaml')}: `);
  });
});

describe('--crd with a CRD that is not shipped: compiled at run time', () => {
  const spec = `              type: object
              required: [teamId, postgresql]
              properties:
                teamId: { type: string }
                numberOfInstances: { type: integer, minimum: 1 }
                volume: { type: object, x-kubernetes-preserve-unknown-fields: true }
                postgresql:
                  type: object
                  required: [version]
                  properties:
                    version: { type: string, enum: ["12", "13"] }
`;

  it('checks what that CRD says: its versions, its fields, its bounds', async () => {
    const dir = tempFiles({
      'crd.yaml': crdWith(spec),
      'pg13.yaml': VERSION_13,
      'pg17.yaml': manifest('  postgresql:\n    version: "17"\n  enableShmVolume: true\n'),
    });
    const ok = await lintJson(['--crd', join(dir, 'crd.yaml'), join(dir, 'pg13.yaml')]);
    expect(ok).toMatchObject({ code: 0, findings: [] });
    const bad = await lintJson(['--crd', join(dir, 'crd.yaml'), join(dir, 'pg17.yaml')]);
    expect(bad.code).toBe(1);
    expect(summary(bad.findings)).toEqual([
      'error schema/enum spec.postgresql.version',
      'error schema/unknown-field spec.enableShmVolume',
    ]);
    expect(bad.findings[0]?.message).toBe('PostgreSQL version "17" is not supported; supported: 12, 13');
  });

  it('accepts the legacy apiextensions v1beta1 form (spec.validation)', async () => {
    const legacy = `apiVersion: apiextensions.k8s.io/v1beta1
kind: CustomResourceDefinition
metadata:
  name: postgresqls.acid.zalan.do
spec:
  group: acid.zalan.do
  names: { kind: postgresql, plural: postgresqls }
  version: v1
  validation:
    openAPIV3Schema:
      type: object
      properties:
        spec:
${spec.replace(/^ {4}/gm, '')}`;
    const dir = tempFiles({ 'crd.yaml': legacy, 'pg13.yaml': VERSION_13 });
    const run = await lintJson(['--crd', join(dir, 'crd.yaml'), join(dir, 'pg13.yaml')]);
    expect(run).toMatchObject({ code: 0, findings: [] });
    const pg17 = join(dir, 'pg13.yaml');
    writeFileSync(pg17, VERSION_13.replace('"13"', '"17"'));
    expect(summary((await lintJson(['--crd', join(dir, 'crd.yaml'), pg17])).findings)).toEqual([
      'error schema/enum spec.postgresql.version',
    ]);
  });
});

describe('acid-guard mutate with an operator version', () => {
  it('repairs version: 13 without bringing in an error under v1.15.1; under v2.0.1 the repair is not enough', async () => {
    const file = join(tempFiles({ 'pg13.yaml': VERSION_13.replace('"13"', '13') }), 'pg13.yaml');
    const v1 = await runCli(['mutate', '--operator-version', '1.15.1', file]);
    expect(v1.code).toBe(0);
    expect(v1.stdout).toContain('version: "13"');
    expect(v1.stderr).toContain('spec.postgresql.version: 13 → "13"');
    const v2 = await runCli(['mutate', file]);
    expect(v2.code).toBe(1);
    expect(v2.stderr).toContain('error: the mutation brings in: spec.postgresql.version');
  });

  it('refuses an unknown release as lint does', async () => {
    const file = join(tempFiles({ 'pg13.yaml': VERSION_13 }), 'pg13.yaml');
    const run = await runCli(['mutate', '--operator-version', '1.0', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('shipped are 2.0.1, 1.15.1');
  });
});

describe('--operator-config with an operator release', () => {
  const spec =
    '  env:\n    - name: KUBERNETES_USE_CONFIGMAPS\n      value: "true"\n  postgresql:\n    version: "17"\n';
  /** Sets max_instances only: kubernetes_use_configmaps is left to the release's default. */
  const CONFIG_MAP =
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: postgres-operator\ndata:\n  max_instances: "5"\n';

  it('fills in the keys the file leaves out with that release’s defaults, not v2.0.1’s', async () => {
    const dir = tempFiles({ 'env.yaml': manifest(spec), 'cm.yaml': CONFIG_MAP });
    const [file, config] = [join(dir, 'env.yaml'), join(dir, 'cm.yaml')];
    // v2.0.1: kubernetes_use_configmaps defaults to true, so the operator sets the variable itself.
    const v2 = await lintJson(['--operator-config', config, file]);
    expect(summary(v2.findings)).toEqual(['warning env/reserved-name spec.env[0].name']);
    const v1 = await lintJson(['--operator-version', '1.15.1', '--operator-config', config, file]);
    expect(v1).toMatchObject({ code: 0, findings: [] });
  });

  it('keeps what the file sets, whatever the release', async () => {
    const set = `${CONFIG_MAP}  kubernetes_use_configmaps: "true"\n`;
    const dir = tempFiles({ 'env.yaml': manifest(spec), 'cm.yaml': set });
    const run = await lintJson([
      '--operator-version',
      '1.15.1',
      '--operator-config',
      join(dir, 'cm.yaml'),
      join(dir, 'env.yaml'),
    ]);
    expect(summary(run.findings)).toEqual(['warning env/reserved-name spec.env[0].name']);
  });

  it.skipIf(!referencePresent)('takes the release from a --crd that is the operator’s own', async () => {
    const dir = tempFiles({ 'env.yaml': manifest(spec), 'cm.yaml': CONFIG_MAP });
    const run = await lintJson([
      '--crd',
      CRD_V1,
      '--operator-config',
      join(dir, 'cm.yaml'),
      join(dir, 'env.yaml'),
    ]);
    expect(run).toMatchObject({ code: 0, findings: [] });
  });
});
