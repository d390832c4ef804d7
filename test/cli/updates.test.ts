import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';

const manifest = (version: string, size: string) => `apiVersion: acid.zalan.do/v1
kind: postgresql
metadata:
  name: acid-orders
  namespace: default
spec:
  teamId: acid
  numberOfInstances: 2
  postgresql:
    version: "${version}"
  volume:
    size: ${size}
`;

interface Finding {
  ruleId: string;
  line: number;
}

async function lintJson(args: string[]): Promise<{ code: number; findings: Finding[]; stderr: string }> {
  const run = await runCli(['lint', '--format', 'json', ...args]);
  return {
    code: run.code,
    findings: run.code === 2 ? [] : JSON.parse(run.stdout).findings,
    stderr: run.stderr,
  };
}

const hasGit = (() => {
  try {
    execFileSync('git', ['--version']);
    return true;
  } catch {
    return false;
  }
})();
if (!hasGit) console.warn('git is not installed: the --base tests are skipped');

describe('--old FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'acid-guard-old-'));
  writeFileSync(join(dir, 'old.yaml'), manifest('17', '20Gi'));
  writeFileSync(join(dir, 'new.yaml'), manifest('16', '10Gi'));
  writeFileSync(join(dir, 'same.yaml'), manifest('17', '20Gi'));

  it('catches a downgrade and a shrink at their lines in the new file', async () => {
    const { code, findings } = await lintJson(['--old', join(dir, 'old.yaml'), join(dir, 'new.yaml')]);
    expect(code).toBe(1);
    expect(findings.map((f) => [f.ruleId, f.line])).toEqual(
      expect.arrayContaining([
        ['update/version-downgrade', 10],
        ['update/volume-shrink', 12],
      ]),
    );
  });

  it('gives nothing for an unchanged file', async () => {
    const { code, findings } = await lintJson(['--old', join(dir, 'old.yaml'), join(dir, 'same.yaml')]);
    expect(code).toBe(0);
    expect(findings).toEqual([]);
  });

  it('judges an object that FILE does not have as a create', async () => {
    const other = manifest('16', '10Gi').replace('acid-orders', 'acid-other');
    writeFileSync(join(dir, 'other.yaml'), other);
    const { findings } = await lintJson(['--old', join(dir, 'old.yaml'), join(dir, 'other.yaml')]);
    expect(findings.filter((f) => f.ruleId.startsWith('update/'))).toEqual([]);
  });
});

describe.skipIf(!hasGit)('--base REV', () => {
  const repo = mkdtempSync(join(tmpdir(), 'acid-guard-git-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args]);
  if (hasGit) {
    git('init', '-q');
    writeFileSync(join(repo, 'cluster.yaml'), manifest('17', '20Gi'));
    git('add', 'cluster.yaml');
    git('commit', '-qm', 'first');
  }

  it('compares with the committed version: a downgrade and a shrink are caught before the commit', async () => {
    writeFileSync(join(repo, 'cluster.yaml'), manifest('16', '10Gi'));
    const { code, findings } = await lintJson(['--base', 'HEAD', join(repo, 'cluster.yaml')]);
    expect(code).toBe(1);
    expect(findings.map((f) => f.ruleId)).toEqual(
      expect.arrayContaining(['update/version-downgrade', 'update/volume-shrink']),
    );
  });

  it('treats a file that is new at REV as a create', async () => {
    writeFileSync(join(repo, 'new.yaml'), manifest('16', '10Gi'));
    const { code, findings } = await lintJson(['--base', 'HEAD', join(repo, 'new.yaml')]);
    expect(code).toBe(0);
    expect(findings).toEqual([]);
  });

  it('fails clearly on a revision that does not exist', async () => {
    const { code, stderr } = await lintJson(['--base', 'no-such-rev', join(repo, 'cluster.yaml')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/cannot read it at no-such-rev/);
  });
});

describe('--teams and PostgresTeam documents in the input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'acid-guard-teams-'));
  const cluster = manifest('17', '20Gi').replace(
    '  postgresql:',
    '  users:\n    jdoe: []\n    app: []\n  postgresql:',
  );
  const team = `apiVersion: acid.zalan.do/v1
kind: PostgresTeam
metadata:
  name: custom-team-membership
spec:
  additionalMembers:
    acid:
      - jdoe
`;
  writeFileSync(join(dir, 'cluster.yaml'), cluster);
  writeFileSync(join(dir, 'team.yaml'), team);

  it('reports a manifest user that is a team member at that user’s line (from --teams)', async () => {
    const { code, findings } = await lintJson(['--teams', join(dir, 'team.yaml'), join(dir, 'cluster.yaml')]);
    expect(code).toBe(1);
    expect(findings.map((f) => [f.ruleId, f.line])).toContainEqual(['team/member-is-user', 10]);
  });

  it('uses PostgresTeam documents found among the linted files', async () => {
    const { findings } = await lintJson([join(dir, 'team.yaml'), join(dir, 'cluster.yaml')]);
    expect(findings.map((f) => f.ruleId)).toContain('team/member-is-user');
  });

  it('refuses a teams file it cannot use, with its location', async () => {
    writeFileSync(join(dir, 'broken-teams.yaml'), 'teams:\n  acid: jdoe\n');
    const { code, stderr } = await lintJson([
      '--teams',
      join(dir, 'broken-teams.yaml'),
      join(dir, 'cluster.yaml'),
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/broken-teams\.yaml:2:/);
  });
});
