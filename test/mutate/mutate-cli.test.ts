import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type MutateCommandOptions, mutateCommand } from '../../packages/validator/src/cli/mutate-command.js';
import { ToolError } from '../../packages/validator/src/cli/tool-error.js';
import { loadDefaultsPolicy } from '../../packages/validator/src/mutate/defaults-policy.js';
import { mutate } from '../../packages/validator/src/mutate/mutate.js';
import { mutateText } from '../../packages/validator/src/mutate/mutate-text.js';
import { policyWith } from '../../packages/validator/src/policy/operator-policy.js';
import { parseYamlDocuments } from '../../packages/validator/src/source/yaml-documents.js';
import { looksLikePostgresql } from '../../packages/validator/src/validate.js';

const ROOT = join(import.meta.dirname, '..', '..');
const POLICY_FILE = join(ROOT, 'examples', 'defaults-policy.yaml');
const REFERENCE = join(ROOT, '..', 'shared', 'reference', 'examples');
const present = existsSync(REFERENCE);
if (!present) console.warn(`mutate: ${REFERENCE} is missing — the operator's examples are skipped`);

const defaults = loadDefaultsPolicy(readFileSync(POLICY_FILE, 'utf8'), POLICY_FILE);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `acid-guard mutate` in-process with captured streams. */
async function run(options: Partial<MutateCommandOptions> & { path: string }, stdin = ''): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await mutateCommand(
    { stdinName: '<stdin>', ...options },
    {
      stdin: Readable.from([Buffer.from(stdin)]),
      stdout: { write: (t: string) => (stdout += t), isTTY: false },
      stderr: { write: (t: string) => (stderr += t) },
      env: {},
    },
  );
  return { code, stdout, stderr };
}

/** The ToolError a call throws. */
async function toolError(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ToolError);
  return error as ToolError;
}

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'acid-guard-mutate-')), name);
  writeFileSync(path, text);
  return path;
}

/**
 * The lines of `output` that are not in `original`, when every line of `original` is in `output` in
 * order (fails otherwise): i.e. the output is the original, byte for byte, plus these lines.
 */
function insertedLines(original: string, output: string): string[] {
  const before = original.split('\n');
  const inserted: string[] = [];
  let next = 0;
  for (const line of output.split('\n')) {
    if (next < before.length && line === before[next]) next += 1;
    else inserted.push(line);
  }
  expect(before.slice(next), 'original lines missing from the output').toEqual([]);
  return inserted;
}

/** Every postgresql of the output is exactly what the library makes of the input's. */
function expectSameAsLibrary(input: string, output: string, withDefaults = true): void {
  const objects = (text: string) => parseYamlDocuments(text).map((d) => d.value);
  const read = objects(input);
  const written = objects(output);
  expect(written).toHaveLength(read.length);
  read.forEach((value, i) => {
    const expected = looksLikePostgresql(value)
      ? mutate(value, withDefaults ? { defaults } : {}).object
      : value;
    expect(written[i]).toEqual(expected);
  });
}

const MINIMAL_ADDITIONS = [
  'spec.postgresql.parameters[log_min_duration_statement]',
  'spec.postgresql.parameters[idle_in_transaction_session_timeout]',
  'spec.resources.requests.cpu',
  'spec.resources.requests.memory',
  'spec.resources.limits.cpu',
  'spec.resources.limits.memory',
  'spec.volume.storageClass',
  'spec.maintenanceWindows',
  'spec.patroni.ttl',
  'spec.patroni.loop_wait',
  'spec.users[acid_robot]',
  'spec.databases[acid_reports]',
];

const EXPECTED_ADDITIONS: Record<string, string[]> = {
  'minimal-postgres-manifest.yaml': MINIMAL_ADDITIONS,
  'minimal-postgres-lowest-version-manifest.yaml': MINIMAL_ADDITIONS,
  'minimal-master-replica-svcmonitor.yaml': MINIMAL_ADDITIONS,
  'standby-manifest.yaml': MINIMAL_ADDITIONS,
  // It sets resources, patroni ttl/loop_wait, and has parameters, users and databases of its own.
  'complete-postgres-manifest.yaml': [
    'spec.postgresql.parameters[log_min_duration_statement]',
    'spec.postgresql.parameters[idle_in_transaction_session_timeout]',
    'spec.volume.storageClass',
    'spec.maintenanceWindows',
    'spec.users[acid_robot]',
    'spec.databases[acid_reports]',
  ],
};

describe.skipIf(!present)("the operator's examples with examples/defaults-policy.yaml", () => {
  const files = present ? readdirSync(REFERENCE).filter((f) => f.endsWith('.yaml')) : [];

  it('are all expected', () => {
    expect(files.sort()).toEqual(Object.keys(EXPECTED_ADDITIONS).sort());
  });

  it.each(files)(
    '%s: exactly the expected additions, every comment and other document kept',
    async (file) => {
      const path = join(REFERENCE, file);
      const original = readFileSync(path, 'utf8');
      const result = await run({ path, defaultsPath: POLICY_FILE });
      expect(result.code).toBe(0);
      const changes = mutateText(original, { defaults }, path).objects.flatMap((o) => o.result.changes);
      expect(changes.map((c) => c.path)).toEqual(EXPECTED_ADDITIONS[file]);
      expect(changes.every((c) => c.old === undefined)).toBe(true);
      const inserted = insertedLines(original, result.stdout);
      expect(inserted.some((line) => line.trimStart().startsWith('#'))).toBe(false);
      expectSameAsLibrary(original, result.stdout);
      for (const change of changes) expect(result.stderr).toContain(`  ${change.path}: (absent) → `);
      // Mutating the result again changes nothing.
      expect(mutateText(result.stdout, { defaults }, path).text).toBe(result.stdout);
    },
  );

  it('minimal-postgres-manifest.yaml: the inserted lines, in the file’s own style', async () => {
    const path = join(REFERENCE, 'minimal-postgres-manifest.yaml');
    const original = readFileSync(path, 'utf8');
    const { stdout } = await run({ path, defaultsPath: POLICY_FILE });
    expect(insertedLines(original, stdout)).toEqual([
      '    storageClass: gp3',
      '    acid_robot:',
      '    - login',
      '    acid_reports: acid_robot',
      '    parameters:',
      '      log_min_duration_statement: 1s',
      '      idle_in_transaction_session_timeout: 10min',
      '  resources:',
      '    requests:',
      '      cpu: 100m',
      '      memory: 256Mi',
      '    limits:',
      '      cpu: "1"',
      '      memory: 1Gi',
      '  maintenanceWindows:',
      '  - Sun:01:00-03:00',
      '  patroni:',
      '    ttl: 30',
      '    loop_wait: 10',
    ]);
    // New members come right after the last entry of their map, before what follows it.
    expect(stdout).toContain(
      '    foo_user: []  # role for application foo\n    acid_robot:\n    - login\n  databases:',
    );
  });

  it('complete-postgres-manifest.yaml: insertions land after the last entry, before commented-out ones', async () => {
    const path = join(REFERENCE, 'complete-postgres-manifest.yaml');
    const { stdout } = await run({ path, defaultsPath: POLICY_FILE });
    expect(stdout).toContain('    foo_user: []\n    acid_robot:\n    - login\n#    flyway: []\n');
    expect(stdout).toContain('  volume:\n    size: 1Gi\n    storageClass: gp3\n#    storageClass: my-sc\n');
    expect(stdout).toContain(
      '    caSecretName: "" # optionally the ca.crt can come from this secret instead.\n  maintenanceWindows:\n  - Sun:01:00-03:00\n# file names',
    );
  });

  it('minimal-master-replica-svcmonitor.yaml: the other five documents stay byte for byte', async () => {
    const path = join(REFERENCE, 'minimal-master-replica-svcmonitor.yaml');
    const original = readFileSync(path, 'utf8');
    const { stdout, stderr } = await run({ path, defaultsPath: POLICY_FILE });
    const documents = (text: string) => text.split(/^---$/m);
    const [before, after] = [documents(original), documents(stdout)];
    expect(after).toHaveLength(6);
    expect(after.filter((_, i) => i !== 1)).toEqual(before.filter((_, i) => i !== 1));
    expect(after[1]).not.toBe(before[1]);
    expect(stderr.split('\n')[0]).toBe(`${path}: postgresql acid-minimal-cluster (document 2): 12 changes`);
  });

  it('standby-manifest.yaml: a new member goes after the comment indented under the last one', async () => {
    const path = join(REFERENCE, 'standby-manifest.yaml');
    const { stdout } = await run({ path, defaultsPath: POLICY_FILE });
    expect(stdout).toContain('    # standby_port: "5432"\n  resources:\n');
  });
});

// ---------------------------------------------------------------------------------------------------

const MANIFEST = `apiVersion: acid.zalan.do/v1
kind: postgresql
metadata:
  name: acid-demo  # the cluster
spec:
  teamId: acid
  numberOfInstances: 2
  postgresql:
    version: 17  # pinned
    parameters:
      max_connections: 100
      ssl: on
  volume:
    size: 1Gi
`;

describe('acid-guard mutate', () => {
  it('without a defaults policy applies only the type repairs, in place', async () => {
    const path = tempFile('demo.yaml', MANIFEST);
    const { code, stdout, stderr } = await run({ path });
    expect(code).toBe(0);
    expect(stdout).toBe(
      MANIFEST.replace('version: 17', 'version: "17"')
        .replace('max_connections: 100', 'max_connections: "100"')
        .replace('ssl: on', 'ssl: "true"'),
    );
    expect(stderr).toBe(
      [
        `${path}: postgresql acid-demo (document 1): 3 changes`,
        '  spec.postgresql.version: 17 → "17" (type repair: the CRD wants a string here, the API server would reject a number)',
        '  spec.postgresql.parameters[max_connections]: 100 → "100" (type repair: the CRD wants a string here, the API server would reject a number)',
        '  spec.postgresql.parameters[ssl]: true → "true" (type repair: the CRD wants a string here, the API server would reject a boolean)',
        '',
      ].join('\n'),
    );
    expectSameAsLibrary(MANIFEST, stdout, false);
  });

  it('prints a file with nothing to change unchanged, and says so', async () => {
    const clean = MANIFEST.replace('17', '"17"').replace('100', '"100"').replace('ssl: on', 'ssl: "on"');
    const path = tempFile('clean.yaml', clean);
    const { code, stdout, stderr } = await run({ path });
    expect([code, stdout, stderr]).toEqual([
      0,
      clean,
      `${path}: postgresql acid-demo (document 1): no changes\n`,
    ]);
    const service = tempFile('service.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: x}\n');
    expect((await run({ path: service })).stderr).toBe(
      `${service}: no postgresql object, nothing to mutate\n`,
    );
  });

  it('reads stdin and names it', async () => {
    const { stdout, stderr } = await run(
      { path: '-', stdinName: 'in.yaml', defaultsPath: POLICY_FILE },
      MANIFEST,
    );
    expect(stdout).toContain('    storageClass: gp3\n');
    expect(stderr).toMatch(/^in\.yaml: postgresql acid-demo \(document 1\): 15 changes\n/);
    expect(stderr).toContain(
      `  spec.users[acid_robot]: (absent) → ["login"] (default for team acid from platform-defaults (${POLICY_FILE}))\n`,
    );
  });

  it('exits 1 when the mutation brings in an error under the operator configuration', async () => {
    const path = tempFile('demo.yaml', MANIFEST);
    const policy = policyWith({ protectedRoleNames: ['admin', 'acid_robot'] });
    const { code, stderr } = await run({ path, defaultsPath: POLICY_FILE, policy });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      / {2}error: the mutation brings in: spec\.users\[acid_robot\]: .*protected user "acid_robot"/,
    );
    expect((await run({ path, defaultsPath: POLICY_FILE })).code).toBe(0);
  });

  it('refuses an invalid defaults policy with file, line and column of every problem', async () => {
    const policyPath = tempFile(
      'policy.yaml',
      'apiVersion: acid-guard/v1\nkind: DefaultsPolicy\nspec:\n  defaults:\n    postgresql:\n      version: 17\n  teams:\n    acid:\n      teamId: acid\n',
    );
    const error = await toolError(run({ path: tempFile('demo.yaml', MANIFEST), defaultsPath: policyPath }));
    expect(error.code).toBe('BAD_POLICY');
    expect(error.message.split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(`^${policyPath}:6:16: spec\\.defaults\\.postgresql\\.version: must be a string`),
      ),
      `${policyPath}:9:7: spec.teams[acid].teamId: a team section applies to the clusters whose teamId is "acid": it cannot set another; remove it (a default teamId belongs in spec.defaults)`,
    ]);
  });

  it('fails as a tool on YAML it cannot read, and on two inputs from stdin', async () => {
    const broken = tempFile('broken.yaml', `${MANIFEST}  users: [\n`);
    const error = await toolError(run({ path: broken }));
    expect(error.code).toBe('UNREADABLE');
    expect(error.message).toMatch(new RegExp(`^${broken}:\\d+:\\d+: YAML syntax error`));
    const duplicate = tempFile('dup.yaml', `${MANIFEST}  teamId: other\n`);
    expect((await toolError(run({ path: duplicate }))).message).toMatch(/:15:3: duplicate key "teamId"/);
    expect((await toolError(run({ path: '-', defaultsPath: '-' }))).code).toBe('USAGE');
    expect((await toolError(run({ path: join(tmpdir(), 'no-such-file.yaml') }))).code).toBe('UNREADABLE');
  });
});

// ---------------------------------------------------------------------------------------------------

describe('editing the YAML in place', () => {
  const edit = (text: string, withDefaults = true) =>
    mutateText(text, withDefaults ? { defaults } : {}, 'x.yaml');
  const HEAD = 'apiVersion: acid.zalan.do/v1\nkind: postgresql\nmetadata:\n  name: acid-x\n';

  it('adds to flow maps inside the braces, and to empty ones', () => {
    const text = `${HEAD}spec:\n  teamId: acid\n  postgresql: {version: 17, parameters: {}}\n  volume: {size: 1Gi}  # small\n  users: {}\n`;
    const out = edit(text).text;
    expect(out).toContain(
      '  postgresql: {version: "17", parameters: {log_min_duration_statement: 1s, idle_in_transaction_session_timeout: 10min}}\n',
    );
    expect(out).toContain('  volume: {size: 1Gi, storageClass: gp3}  # small\n');
    expect(out).toContain('  users: {acid_robot: [ login ]}\n');
    expectSameAsLibrary(text, out);
  });

  it('keeps JSON JSON', () => {
    const json = readFileSync(join(ROOT, 'examples', 'good', 'acid-minimal.json'), 'utf8');
    const out = edit(json).text;
    expect(JSON.parse(out)).toEqual(mutate(JSON.parse(json), { defaults }).object);
    expect(out).toContain('    "volume": { "size": "1Gi", "storageClass": "gp3" },\n');
    expect(out).toContain('    "maintenanceWindows": ["Sun:01:00-03:00"],\n');
  });

  it('gives a field written without value its value, keeping a comment on its line', () => {
    const text = `${HEAD}spec:\n  teamId: other\n  patroni:  # tuned later\n  volume:\n    size: 1Gi\n`;
    const out = edit(text).text;
    expect(out).toContain('  patroni:  # tuned later\n    ttl: 30\n    loop_wait: 10\n  volume:\n');
    const explicit = edit(`${HEAD}spec:\n  teamId: other\n  patroni: null\n  volume: {size: 1Gi}\n`).text;
    expect(explicit).toContain('  patroni:\n    ttl: 30\n    loop_wait: 10\n  volume:');
    expectSameAsLibrary(text, out);
  });

  it('keeps CRLF line breaks and a missing final line break', () => {
    const text = `${HEAD}spec:\n  teamId: other\n  volume:\n    size: 1Gi`.replaceAll('\n', '\r\n');
    const out = edit(text).text;
    expect(out).toContain('    size: 1Gi\r\n    storageClass: gp3\r\n');
    expect(out.replaceAll('\r\n', '')).not.toContain('\n');
    expectSameAsLibrary(text, out);
  });

  it('edits every postgresql of a kind: List and nothing else', () => {
    const text = `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  data: {a: 1}\n- ${HEAD.replaceAll('\n', '\n  ').trimEnd()}\n  spec:\n    postgresql:\n      version: 16\n`;
    const result = edit(text, false);
    expect(result.text).toBe(text.replace('version: 16', 'version: "16"'));
    expect(result.objects.map((o) => [o.document, o.prefix, o.name])).toEqual([[0, 'items[1]', 'acid-x']]);
  });

  it('indents lists below their key when the file does', () => {
    const text = `${HEAD}spec:\n  teamId: other\n  allowedSourceRanges:\n    - 10.0.0.0/8\n  volume:\n    size: 1Gi\n`;
    expect(edit(text).text).toContain('  maintenanceWindows:\n    - Sun:01:00-03:00\n');
  });

  it('refuses to write through an alias', () => {
    const text = `${HEAD}spec:\n  teamId: other\n  volume: &v {size: 1Gi}\n  patroni: *v\n`;
    expect(() => edit(`${text}`)).toThrow(ToolError);
    expect(() => edit(`${HEAD}x: &n 17\nspec:\n  postgresql:\n    version: *n\n`, false)).toThrow(/alias/);
  });
});

describe('property: the edited text reads back as exactly the library mutation', () => {
  const names = fc.constantFrom('app', 'acid_robot', 'a/b', 'x~y', 'on', '17');
  const scalar = fc.oneof(
    fc.integer({ min: -5, max: 100_000 }),
    fc.boolean(),
    fc.constantFrom('17', 'on', '64MB', '', 'a: b', '# not a comment'),
    fc.constant(null),
  );
  const map = <T>(values: fc.Arbitrary<T>) => fc.dictionary(names, values, { maxKeys: 3 });
  const spec = fc.record(
    {
      teamId: fc.constantFrom('acid', 'other'),
      numberOfInstances: fc.integer({ min: 0, max: 5 }),
      postgresql: fc.oneof(
        fc.constant(null),
        fc.record(
          { version: fc.oneof(fc.integer({ min: 14, max: 18 }), fc.constant('17')), parameters: map(scalar) },
          { requiredKeys: [] },
        ),
      ),
      volume: fc.oneof(fc.constant(null), fc.record({ size: fc.constant('1Gi') }, { requiredKeys: [] })),
      resources: fc.record(
        { requests: map(scalar), limits: fc.record({ cpu: fc.constantFrom(1, '2') }) },
        { requiredKeys: [] },
      ),
      patroni: fc.oneof(
        fc.constant(null),
        fc.record({ ttl: fc.integer({ min: 1, max: 60 }), initdb: map(scalar) }, { requiredKeys: [] }),
      ),
      users: map(fc.array(fc.constantFrom('login', 'createdb'), { maxLength: 2 })),
      databases: map(names),
      maintenanceWindows: fc.array(scalar, { maxLength: 2 }),
      somethingNew: map(scalar),
    },
    { requiredKeys: [] },
  );
  const manifests = fc.record({
    apiVersion: fc.constant('acid.zalan.do/v1'),
    kind: fc.constant('postgresql'),
    metadata: fc.record({ name: fc.constant('acid-gen'), labels: map(scalar) }, { requiredKeys: ['name'] }),
    spec,
  });
  const styles = fc.record({
    json: fc.boolean(),
    // Not 'block': the yaml package writes an empty list below its key there, which YAML does not allow.
    collectionStyle: fc.constantFrom('any', 'flow'),
    indent: fc.constantFrom(2, 4),
    indentSeq: fc.boolean(),
    crlf: fc.boolean(),
    comments: fc.boolean(),
  });

  type Style = typeof styles extends fc.Arbitrary<infer S> ? S : never;

  function render(object: unknown, style: Style): string {
    let text = style.json
      ? JSON.stringify(object, null, style.indent)
      : stringify(object, {
          version: '1.1',
          collectionStyle: style.collectionStyle,
          indent: style.indent,
          indentSeq: style.indentSeq,
          lineWidth: 0,
        });
    if (style.comments && !style.json) text = text.replace(/^( *)(\w+:)$/gm, '$1# about $2\n$1$2 # $2');
    return style.crlf ? text.replaceAll('\n', '\r\n') : text;
  }

  it('for generated manifests, styles and the example policy', () => {
    fc.assert(
      fc.property(manifests, styles, fc.boolean(), (object, style, withDefaults) => {
        const context = withDefaults ? { defaults } : {};
        const text = render(object, style);
        const [input] = parseYamlDocuments(text).map((d) => d.value);
        const edited = mutateText(text, context, 'gen.yaml').text;
        const [output] = parseYamlDocuments(edited).map((d) => d.value);
        expect(output).toEqual(mutate(input, context).object);
        expect(mutateText(edited, context, 'gen.yaml').text).toBe(edited);
        if (style.json) expect(JSON.parse(edited)).toEqual(output);
        if (style.crlf) expect(edited.replaceAll('\r\n', '')).not.toContain('\n');
      }),
      { numRuns: 200 },
    );
  });
});
