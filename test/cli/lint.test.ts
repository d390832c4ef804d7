import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin, runCli } from './cli-harness.js';

const GOOD = `apiVersion: acid.zalan.do/v1
kind: postgresql
metadata:
  name: acid-good
spec:
  teamId: acid
  numberOfInstances: 1
  postgresql:
    version: "17"
  volume:
    size: 1Gi
`;
const BAD = GOOD.replace('version: "17"', 'version: 13');

function tempDir(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'acid-guard-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

describe('acid-guard lint', () => {
  it('exits 0 and prints a summary for a good manifest', async () => {
    const dir = tempDir({ 'good.yaml': GOOD });
    const run = await runCli(['lint', join(dir, 'good.yaml')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/no problems \(1 file, 1 postgresql manifest checked\)/);
  });

  it('exits 1 with file:line:col, severity, message, rule, code frame and hint for a bad one', async () => {
    const dir = tempDir({ 'bad.yaml': BAD });
    const file = join(dir, 'bad.yaml');
    const run = await runCli(['lint', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`${file}:9:14 error spec.postgresql.version: must be a string`);
    expect(run.stdout).toContain('[schema/not-a-string]');
    expect(run.stdout).toContain('> 9 |     version: 13');
    expect(run.stdout).toContain('hint: write it in quotes: "13"');
    expect(run.stdout).toMatch(/✖ 1 error \(1 file/);
  });

  it('writes the documented JSON shape', async () => {
    const dir = tempDir({ 'bad.yaml': BAD });
    const run = await runCli(['lint', '--format', 'json', join(dir, 'bad.yaml')]);
    const report = JSON.parse(run.stdout);
    expect(report.summary).toEqual({
      files: 1,
      documents: 1,
      skipped: 0,
      errors: 1,
      warnings: 0,
      suppressed: 0,
    });
    expect(report.findings[0]).toEqual({
      file: join(dir, 'bad.yaml'),
      document: 0,
      name: 'acid-good',
      ruleId: 'schema/not-a-string',
      severity: 'error',
      path: 'spec.postgresql.version',
      message: expect.stringContaining('must be a string'),
      hint: 'write it in quotes: "13"',
      line: 9,
      column: 14,
      endLine: 9,
      endColumn: 16,
    });
  });

  it('walks directories for *.yaml, *.yml and *.json in a stable order and counts other documents as skipped', async () => {
    const dir = tempDir({
      'b.yml': GOOD,
      'a.json': JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }),
      'notes.txt': 'not a manifest',
    });
    const run = await runCli(['lint', '--format', 'json', dir]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).summary).toMatchObject({ files: 2, documents: 2, skipped: 1 });
  });

  it('reads stdin for - or no path, under --stdin-filename', async () => {
    const run = await runCli(['lint', '--stdin-filename', 'piped.yaml'], { stdin: BAD });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('piped.yaml:9:14');
  });

  it('expands kind: List and locates findings inside its items', async () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n${BAD.replace(/^/gm, '  ').replace(/^ {2}apiVersion/, '- apiVersion')}`;
    const run = await runCli(['lint', '--format', 'json', '-'], { stdin: list });
    const report = JSON.parse(run.stdout);
    expect(report.findings[0]).toMatchObject({ ruleId: 'schema/not-a-string', line: 12 });
  });

  it('silences a rule with --disable and counts what it silenced', async () => {
    const run = await runCli(['lint', '--format', 'json', '--disable', 'schema/*', '-'], { stdin: BAD });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).summary).toMatchObject({ errors: 0, suppressed: 1 });
  });

  it('colours text only on a terminal and never with NO_COLOR', async () => {
    const tty = await runCli(['lint', '-'], { stdin: BAD, tty: true });
    const noColor = await runCli(['lint', '-'], { stdin: BAD, tty: true, env: { NO_COLOR: '1' } });
    const pipe = await runCli(['lint', '-'], { stdin: BAD });
    expect(tty.stdout).toContain('\u001b[');
    expect(noColor.stdout).not.toContain('\u001b[');
    expect(pipe.stdout).not.toContain('\u001b[');
  });

  it('reports binary or non-UTF-8 input as a finding, not a crash', async () => {
    const dir = tempDir({
      'bin.yaml': Buffer.from([0xff, 0xfe, 0x00, 0x41]),
      'latin1.yaml': Buffer.from([0x61, 0x3a, 0x20, 0xe9]),
    });
    const run = await runCli(['lint', '--format', 'json', dir]);
    expect(run.code).toBe(1);
    const messages = JSON.parse(run.stdout).findings.map((f: { message: string }) => f.message);
    expect(messages).toEqual([expect.stringContaining('binary'), expect.stringContaining('not valid UTF-8')]);
  });
});

describe('tool failures exit 2 with a one-line reason on stderr', () => {
  it.each([
    [['lint', '/nonexistent/path.yaml'], /no such file or directory/],
    [['lint', '--format', 'xml', '-'], /unknown format "xml"/],
    [['lint', '--bogus'], /Unknown option '--bogus'/],
    [['lint', '--disable', 'users/invalid-nmae', '-'], /unknown rule "users\/invalid-nmae"/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['explain'], /explain takes one rule id/],
  ])('%j', async (args, reason) => {
    const run = await runCli(args as string[], { stdin: GOOD });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(reason);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses an empty directory', async () => {
    const run = await runCli(['lint', tempDir({})]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no \*\.yaml, \*\.yml or \*\.json files/);
  });
});

describe('the built bin', () => {
  it('runs as a user runs it and sets the exit code', () => {
    const dir = tempDir({ 'bad.yaml': BAD });
    const run = runBin(['lint', join(dir, 'bad.yaml')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('schema/not-a-string');
  });

  it('prints the JSON schema for editors', () => {
    const run = runBin(['schema']);
    expect(run.code).toBe(0);
    const schema = JSON.parse(run.stdout);
    expect(schema.properties.spec.$ref ?? schema.properties.spec.type).toBeTruthy();
    expect(schema.title).toBe('Postgresql');
  });

  it('lists rules and explains one', () => {
    expect(runBin(['rules']).stdout).toMatch(/schema\/null-entry\s+error/);
    const explained = runBin(['explain', 'schema/null-entry']);
    expect(explained.stdout).toContain('Bad:');
    expect(explained.stdout).toContain('foo_user: []');
  });
});

describe('--operator-config', () => {
  it('judges with the operator settings it reads, and refuses a value the operator would refuse', async () => {
    const dir = tempDir({
      'good.yaml': GOOD,
      'config.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: postgres-operator\ndata:\n  min_instances: "3"\n',
      'broken.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: postgres-operator\ndata:\n  min_instances: "three"\n',
    });
    const judged = await runCli([
      'lint',
      '--format',
      'json',
      '--operator-config',
      join(dir, 'config.yaml'),
      join(dir, 'good.yaml'),
    ]);
    expect(JSON.parse(judged.stdout).findings.map((f: { ruleId: string }) => f.ruleId)).toContain(
      'instances/outside-limits',
    );
    const refused = await runCli([
      'lint',
      '--operator-config',
      join(dir, 'broken.yaml'),
      join(dir, 'good.yaml'),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/min_instances: "three" is not an integer/);
  });
});

describe('acid-guard explain parameter', () => {
  it('shows a parameter of a version with its unit, range and context', async () => {
    const run = await runCli(['explain', 'parameter', 'shared_buffers', '--version', '17']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/shared_buffers \(PostgreSQL 17/);
    expect(run.stdout).toMatch(/context: +postmaster/);
  });

  it('says where a name exists in another version', async () => {
    const run = await runCli(['explain', 'parameter', 'wal_keep_segments', '--version', '17']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/removed in 13/);
  });

  it('needs --version', async () => {
    const run = await runCli(['explain', 'parameter', 'shared_buffers']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/takes a name and --version/);
  });
});

describe('every output format from the CLI', () => {
  it.each([
    ['sarif', /"version": "2\.1\.0"/],
    ['junit', /^<\?xml version="1\.0"/],
    ['github', /^::error file=<stdin>,line=9,col=14/m],
  ])('%s', async (format, shape) => {
    const run = await runCli(['lint', '--format', format, '-'], { stdin: BAD });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(shape);
  });
});
