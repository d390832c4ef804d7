import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import jsonPatch from 'fast-json-patch';
import { describe, expect, it } from 'vitest';
import {
  type DefaultsPolicy,
  DefaultsPolicyError,
  defaultsPolicyFromObject,
  loadDefaultsPolicy,
  partialSchema,
} from '../../packages/validator/src/mutate/defaults-policy.js';
import { diffPatch, jsonPointer } from '../../packages/validator/src/mutate/json-patch.js';
import { mutate } from '../../packages/validator/src/mutate/mutate.js';
import { exampleManifest } from '../../packages/validator/src/rules/example-manifest.js';
import { parseYamlDocuments } from '../../packages/validator/src/source/yaml-documents.js';
import { looksLikePostgresql, validate } from '../../packages/validator/src/validate.js';

const ROOT = join(import.meta.dirname, '..', '..');
const POLICY_FILE = join(ROOT, 'examples', 'defaults-policy.yaml');
const REFERENCE_EXAMPLES = join(ROOT, '..', 'shared', 'reference', 'examples');

type Json = Record<string, unknown>;

/** A minimal valid manifest with a spec fragment merged in (maps key by key). */
const manifest = (fragment: string | Json = {}): Json =>
  exampleManifest(typeof fragment === 'string' ? fragment : JSON.stringify({ spec: fragment })) as Json;

const policy = (defaults: Json, teams: Record<string, Json> = {}): DefaultsPolicy =>
  ({ source: 'test-policy.yaml', defaults, teams }) as DefaultsPolicy;

const spec = (object: unknown): Json => (object as { spec: Json }).spec;

/** The patch applied with fast-json-patch to a copy of the input. */
function applied(input: unknown, patch: ReturnType<typeof mutate>['patch']): unknown {
  return jsonPatch.applyPatch(structuredClone(input), structuredClone(patch), true, false).newDocument;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

const errorsOf = (object: unknown) => validate(object).filter((f) => f.severity === 'error');

// ---------------------------------------------------------------------------------------------------

describe('type repairs (always on)', () => {
  it('spec.postgresql.version: a number becomes its string', () => {
    const input = manifest({ postgresql: { version: 17 } });
    const { object, changes, patch } = mutate(input);
    expect(spec(object).postgresql).toEqual({ version: '17' });
    expect(changes).toEqual([
      expect.objectContaining({ path: 'spec.postgresql.version', old: 17, new: '17' }),
    ]);
    expect(changes[0]?.reason).toMatch(/type repair/);
    expect(patch).toEqual([{ op: 'replace', path: '/spec/postgresql/version', value: '17' }]);
    expect(errorsOf(object)).toEqual([]);
  });

  it('every number or boolean in spec.postgresql.parameters becomes a string', () => {
    const input = manifest({
      postgresql: {
        version: '17',
        parameters: { max_connections: 100, ssl: true, jit: false, work_mem: '64MB', random_page_cost: 1.1 },
      },
    });
    const { object, changes } = mutate(input);
    expect(spec(object).postgresql).toEqual({
      version: '17',
      parameters: {
        max_connections: '100',
        ssl: 'true',
        jit: 'false',
        work_mem: '64MB',
        random_page_cost: '1.1',
      },
    });
    expect(changes.map((c) => c.path)).toEqual([
      'spec.postgresql.parameters[max_connections]',
      'spec.postgresql.parameters[ssl]',
      'spec.postgresql.parameters[jit]',
      'spec.postgresql.parameters[random_page_cost]',
    ]);
  });

  it('spec.standby.standby_port and spec.patroni.initdb values become strings', () => {
    const input = manifest({
      standby: { standby_host: 'acid-source', standby_port: 5432 },
      patroni: { initdb: { 'data-checksums': true, encoding: 'UTF8' }, ttl: 30 },
    });
    const { object } = mutate(input);
    expect(spec(object).standby).toEqual({ standby_host: 'acid-source', standby_port: '5432' });
    expect(spec(object).patroni).toEqual({ initdb: { 'data-checksums': 'true', encoding: 'UTF8' }, ttl: 30 });
  });

  it('anything else the schema wants as a string: labels, env values in list items', () => {
    const input = manifest({
      sidecars: [{ name: 'exporter', image: 'exporter:1', env: [{ name: 'PORT', value: 9187 }] }],
    });
    (input.metadata as Json).labels = { 'app.kubernetes.io/version': 2 };
    const { object, changes, patch } = mutate(input);
    expect((object as { metadata: Json }).metadata.labels).toEqual({ 'app.kubernetes.io/version': '2' });
    expect(spec(object).sidecars).toEqual([
      { name: 'exporter', image: 'exporter:1', env: [{ name: 'PORT', value: '9187' }] },
    ]);
    expect(changes.map((c) => c.path)).toEqual([
      'metadata.labels[app.kubernetes.io/version]',
      'spec.sidecars[0].env[0].value',
    ]);
    expect(patch.map((p) => p.path)).toEqual([
      '/metadata/labels/app.kubernetes.io~1version',
      '/spec/sidecars/0/env/0/value',
    ]);
  });

  it('spec.resources quantities become strings (the CRD has them as strings, unlike core Quantity)', () => {
    const input = manifest({ resources: { requests: { cpu: 1, memory: '1Gi' }, limits: { cpu: 2 } } });
    const { object, changes } = mutate(input);
    expect(spec(object).resources).toEqual({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2' } });
    expect(changes.map((c) => c.path)).toEqual(['spec.resources.requests.cpu', 'spec.resources.limits.cpu']);
  });

  it('leaves integers, int-or-string quantities, wrong strings, unknown and free-form fields alone', () => {
    const input = manifest({
      numberOfInstances: '2',
      patroni: { ttl: 30, loop_wait: '10' },
      initContainers: [{ name: 'init', image: 'busybox', resources: { limits: { cpu: 1 } } }],
      unknownThing: 5,
      additionalVolumes: [{ name: 'x', mountPath: '/x', volumeSource: { emptyDir: { sizeLimit: 1 } } }],
      maintenanceWindows: [true],
    });
    const { object, changes } = mutate(input);
    // Only the list item: maintenanceWindows holds strings.
    expect(changes.map((c) => c.path)).toEqual(['spec.maintenanceWindows[0]']);
    expect(spec(object)).toEqual({ ...spec(input), maintenanceWindows: ['true'] });
  });

  it('does nothing to a valid manifest, and never touches its input', () => {
    const input = deepFreeze(manifest({ postgresql: { version: 16, parameters: { a: 1 } } }));
    const { object } = mutate(input);
    expect(object).not.toBe(input);
    expect(spec(input).postgresql).toEqual({ version: 16, parameters: { a: 1 } });
    const clean = manifest();
    expect(mutate(clean)).toEqual({ object: clean, changes: [], patch: [] });
  });

  it('returns anything that is not a map as it is', () => {
    for (const value of [null, 3, 'text', [1, 2]]) {
      expect(mutate(value)).toEqual({ object: value, changes: [], patch: [] });
    }
  });
});

// ---------------------------------------------------------------------------------------------------

describe('defaults', () => {
  it('set absent fields, with reasons naming the policy', () => {
    const defaults = policy({ enableLogicalBackup: true, volume: { storageClass: 'gp3' } });
    const { object, changes, patch } = mutate(manifest(), { defaults });
    expect(spec(object).enableLogicalBackup).toBe(true);
    expect(spec(object).volume).toEqual({ size: '1Gi', storageClass: 'gp3' });
    expect(changes).toEqual([
      {
        path: 'spec.enableLogicalBackup',
        old: undefined,
        new: true,
        reason: 'default from test-policy.yaml',
      },
      {
        path: 'spec.volume.storageClass',
        old: undefined,
        new: 'gp3',
        reason: 'default from test-policy.yaml',
      },
    ]);
    // In the order of the result: the existing volume comes before the new member.
    expect(patch).toEqual([
      { op: 'add', path: '/spec/volume/storageClass', value: 'gp3' },
      { op: 'add', path: '/spec/enableLogicalBackup', value: true },
    ]);
  });

  it('never override a value the manifest sets: scalars, lists, maps of another type', () => {
    const input = manifest({
      numberOfInstances: 3,
      maintenanceWindows: ['Sat:01:00-02:00'],
      users: { app: ['createdb'] },
      resources: 'none',
    });
    const defaults = policy({
      numberOfInstances: 2,
      maintenanceWindows: ['Sun:01:00-03:00'],
      users: { app: ['login'] },
      resources: { requests: { cpu: '1' } },
    });
    const { object, changes, patch } = mutate(input, { defaults });
    expect(object).toEqual(input);
    expect(changes).toEqual([]);
    expect(patch).toEqual([]);
  });

  it('merge maps key by key, at any depth', () => {
    const input = manifest({
      resources: { requests: { cpu: '250m' } },
      postgresql: { version: '17', parameters: { work_mem: '8MB' } },
      users: { app: [] },
    });
    const defaults = policy({
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
      postgresql: { version: '16', parameters: { work_mem: '4MB', log_min_duration_statement: '1s' } },
      users: { robot: ['login'] },
    });
    const { object, changes } = mutate(input, { defaults });
    expect(spec(object).resources).toEqual({
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { memory: '1Gi' },
    });
    expect(spec(object).postgresql).toEqual({
      version: '17',
      parameters: { work_mem: '8MB', log_min_duration_statement: '1s' },
    });
    expect(spec(object).users).toEqual({ app: [], robot: ['login'] });
    expect(changes.map((c) => c.path)).toEqual([
      'spec.resources.requests.memory',
      'spec.resources.limits.memory',
      'spec.postgresql.parameters[log_min_duration_statement]',
      'spec.users[robot]',
    ]);
  });

  it('treat a null as absent (the API server prunes it) and replace it', () => {
    const input = manifest({ patroni: null });
    const { object, changes, patch } = mutate(input, { defaults: policy({ patroni: { ttl: 30 } }) });
    expect(spec(object).patroni).toEqual({ ttl: 30 });
    expect(changes).toEqual([expect.objectContaining({ path: 'spec.patroni.ttl', new: 30 })]);
    expect(patch).toEqual([{ op: 'replace', path: '/spec/patroni', value: { ttl: 30 } }]);
  });

  it('add a missing parent whole, so that the patch creates it before its children', () => {
    const input = manifest();
    const { patch, changes } = mutate(input, {
      defaults: policy({ patroni: { ttl: 30, loop_wait: 10 }, preparedDatabases: {} }),
    });
    expect(patch).toEqual([
      { op: 'add', path: '/spec/patroni', value: { ttl: 30, loop_wait: 10 } },
      { op: 'add', path: '/spec/preparedDatabases', value: {} },
    ]);
    expect(changes.map((c) => [c.path, c.new])).toEqual([
      ['spec.patroni.ttl', 30],
      ['spec.patroni.loop_wait', 10],
      ['spec.preparedDatabases', {}],
    ]);
  });

  it('create a spec when there is none', () => {
    const input = { apiVersion: 'acid.zalan.do/v1', kind: 'postgresql', metadata: { name: 'acid-x' } };
    const { patch } = mutate(input, { defaults: policy({ numberOfInstances: 2 }) });
    expect(patch).toEqual([{ op: 'add', path: '/spec', value: { numberOfInstances: 2 } }]);
    expect(mutate(input, { defaults: policy({}) }).patch).toEqual([]);
  });

  it('set members whose names plain assignment would not create', () => {
    const { object } = mutate(manifest(), {
      defaults: policy({ databases: JSON.parse('{"__proto__": "app"}') }),
    });
    const databases = spec(object).databases as Json;
    expect(Object.keys(databases)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(databases)).toBe(Object.prototype);
  });
});

describe('team sections', () => {
  const defaults = policy(
    { numberOfInstances: 2, patroni: { ttl: 30, loop_wait: 10 }, users: { reader: ['login'] } },
    {
      acid: { numberOfInstances: 3, patroni: { ttl: 20 }, users: { acid_robot: ['login'] } },
      other: { enableLogicalBackup: true },
    },
  );

  it('apply to the clusters of that team and win over the global defaults', () => {
    const input = manifest();
    delete spec(input).numberOfInstances;
    const { object, changes } = mutate(input, { defaults });
    expect(spec(object).numberOfInstances).toBe(3);
    expect(spec(object).patroni).toEqual({ ttl: 20, loop_wait: 10 });
    expect(spec(object).users).toEqual({ reader: ['login'], acid_robot: ['login'] });
    expect(spec(object).enableLogicalBackup).toBeUndefined();
    const reasons = Object.fromEntries(changes.map((c) => [c.path, c.reason]));
    expect(reasons).toEqual({
      'spec.numberOfInstances': 'default for team acid from test-policy.yaml',
      'spec.patroni.ttl': 'default for team acid from test-policy.yaml',
      'spec.patroni.loop_wait': 'default from test-policy.yaml',
      'spec.users[reader]': 'default from test-policy.yaml',
      'spec.users[acid_robot]': 'default for team acid from test-policy.yaml',
    });
  });

  it('match team ids case-sensitively, as the operator does', () => {
    const { object } = mutate(manifest({ teamId: 'ACID' }), { defaults });
    expect(spec(object).users).toEqual({ reader: ['login'] });
  });

  it('still never override the manifest', () => {
    const input = manifest({ numberOfInstances: 5, users: { acid_robot: ['createdb'] } });
    const { object } = mutate(input, { defaults });
    expect(spec(object).numberOfInstances).toBe(5);
    expect(spec(object).users).toEqual({ acid_robot: ['createdb'], reader: ['login'] });
  });

  it('use the global default teamId when the manifest has none', () => {
    const input = manifest();
    delete spec(input).teamId;
    const withTeam = policy({ teamId: 'other' }, { other: { enableLogicalBackup: true } });
    const { object } = mutate(input, { defaults: withTeam });
    expect(spec(object)).toMatchObject({ teamId: 'other', enableLogicalBackup: true });
  });
});

// ---------------------------------------------------------------------------------------------------

describe('the RFC 6902 patch', () => {
  it('escapes ~ and / in member names (RFC 6901)', () => {
    expect(jsonPointer(['spec', 'a/b', 'c~d', 0])).toBe('/spec/a~1b/c~0d/0');
    const input = manifest({ postgresql: { version: '17', parameters: { 'a/b~c': 1 } } });
    const { patch } = mutate(input);
    expect(patch).toEqual([{ op: 'replace', path: '/spec/postgresql/parameters/a~1b~0c', value: '1' }]);
    expect(applied(input, patch)).toEqual(mutate(input).object);
  });

  it('never removes: what the result lacks stays as it was', () => {
    expect(diffPatch({ a: 1, b: { c: 2, d: 3 } }, { b: { c: 4 }, e: 5 })).toEqual([
      { op: 'replace', path: '/b/c', value: 4 },
      { op: 'add', path: '/e', value: 5 },
    ]);
    expect(diffPatch([1, 2], [1])).toEqual([{ op: 'replace', path: '', value: [1] }]);
  });

  it('keeps fields the schema does not know, and applies to exactly the mutated object', () => {
    const input = manifest({ postgresql: { version: 17 }, futureField: { x: 1 } });
    (input as Json).status = { PostgresClusterStatus: 'Running' };
    const result = mutate(input, { defaults: policy({ patroni: { ttl: 30 } }) });
    expect(result.patch.every((p) => p.op === 'add' || p.op === 'replace')).toBe(true);
    const patched = applied(input, result.patch);
    expect(patched).toEqual(result.object);
    expect(spec(patched).futureField).toEqual({ x: 1 });
  });
});

// ---------------------------------------------------------------------------------------------------

describe('properties', () => {
  const names = fc.constantFrom('app', 'acid_robot', 'a/b', 'x~y', 'foo_user');
  const scalar = fc.oneof(
    fc.integer({ min: -5, max: 100_000 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constantFrom('17', 'on', '64MB', ''),
    fc.constant(null),
  );
  const flags = fc.array(fc.constantFrom('login', 'superuser', 'createdb'), { maxLength: 3 });
  const specFragment = fc.record(
    {
      teamId: fc.constantFrom('acid', 'ACID', 'other'),
      numberOfInstances: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant('2')),
      postgresql: fc.record(
        {
          version: fc.oneof(fc.integer({ min: 13, max: 18 }), fc.constantFrom('16', '17')),
          parameters: fc.dictionary(names, scalar),
        },
        { requiredKeys: [] },
      ),
      volume: fc.record(
        { size: fc.constantFrom('1Gi', '10Gi'), storageClass: fc.oneof(fc.constant('gp3'), scalar) },
        { requiredKeys: [] },
      ),
      resources: fc.oneof(
        fc.constant(null),
        fc.record(
          {
            requests: fc.record(
              { cpu: fc.constantFrom('100m', 1), memory: fc.constant('1Gi') },
              { requiredKeys: [] },
            ),
            limits: fc.record(
              { cpu: fc.constantFrom('1', 2), memory: fc.constant('2Gi') },
              { requiredKeys: [] },
            ),
          },
          { requiredKeys: [] },
        ),
      ),
      patroni: fc.oneof(
        fc.constant(null),
        fc.record(
          { ttl: fc.integer({ min: 1, max: 60 }), initdb: fc.dictionary(names, scalar) },
          { requiredKeys: [] },
        ),
      ),
      users: fc.dictionary(names, flags),
      databases: fc.dictionary(names, fc.oneof(names, scalar)),
      maintenanceWindows: fc.array(fc.oneof(fc.constant('Sun:01:00-03:00'), scalar), { maxLength: 2 }),
      standby: fc.record(
        { standby_host: fc.constant('src'), standby_port: fc.oneof(fc.integer(), fc.constant('5432')) },
        { requiredKeys: [] },
      ),
      somethingNew: fc.dictionary(names, scalar),
    },
    { requiredKeys: [] },
  );
  const manifests = fc.record(
    {
      apiVersion: fc.constant('acid.zalan.do/v1'),
      kind: fc.constant('postgresql'),
      metadata: fc.record(
        { name: fc.constant('acid-gen'), labels: fc.dictionary(names, scalar) },
        { requiredKeys: ['name'] },
      ),
      spec: fc.oneof({ weight: 8, arbitrary: specFragment }, fc.constant(null), fc.constant('text')),
    },
    { requiredKeys: ['apiVersion', 'kind', 'metadata'] },
  );
  const policies = fc.record({
    defaults: specFragment,
    teams: fc.dictionary(fc.constantFrom('acid', 'other', 'ACID'), specFragment, { maxKeys: 2 }),
  });

  const asJson = (value: unknown) => JSON.parse(JSON.stringify(value));

  it('mutating twice equals mutating once; the patch applies to the input and gives the result', () => {
    fc.assert(
      fc.property(manifests, fc.option(policies, { nil: undefined }), (input, generated) => {
        const context =
          generated === undefined
            ? {}
            : { defaults: { source: 'generated', ...generated } as DefaultsPolicy };
        const once = mutate(input, context);
        const twice = mutate(once.object, context);
        expect(twice.object).toEqual(once.object);
        expect(twice.changes).toEqual([]);
        expect(twice.patch).toEqual([]);
        expect(once.patch.every((p) => p.op === 'add' || p.op === 'replace')).toBe(true);
        // Compared as JSON, the only form a patch travels in (JSON has no -0).
        expect(asJson(applied(input, once.patch))).toEqual(asJson(once.object));
      }),
      { numRuns: 200 },
    );
  });

  describe('the mutated object validates whenever the input did', () => {
    const examplePolicy = loadDefaultsPolicy(
      readFileSync(POLICY_FILE, 'utf8'),
      'examples/defaults-policy.yaml',
    );
    const folders = [join(ROOT, 'examples', 'good'), join(ROOT, 'examples', 'bad'), REFERENCE_EXAMPLES];
    const objects = folders
      .filter((folder) => existsSync(folder))
      .flatMap((folder) =>
        readdirSync(folder).flatMap((file) =>
          parseYamlDocuments(readFileSync(join(folder, file), 'utf8'))
            .map((doc) => doc.value)
            .filter(looksLikePostgresql)
            .map((value) => ({ name: `${folder.split('/').at(-1)}/${file}`, value })),
        ),
      );

    it('over the example manifests', () => {
      expect(objects.length).toBeGreaterThanOrEqual(5);
      fc.assert(
        fc.property(fc.constantFrom(...objects), fc.boolean(), ({ value }, withPolicy) => {
          const { object } = mutate(value, withPolicy ? { defaults: examplePolicy } : {});
          if (errorsOf(value).length === 0) expect(errorsOf(object)).toEqual([]);
          // The repairs alone never add an error, valid input or not.
          if (!withPolicy) {
            const before = new Set(errorsOf(value).map((f) => `${f.ruleId} ${f.path}`));
            expect(errorsOf(object).filter((f) => !before.has(`${f.ruleId} ${f.path}`))).toEqual([]);
          }
        }),
        { numRuns: 50 },
      );
    });

    it.skipIf(!existsSync(REFERENCE_EXAMPLES))(
      "for each of the operator's examples with the example policy",
      () => {
        const reference = objects.filter((o) => !o.name.startsWith('good/') && !o.name.startsWith('bad/'));
        expect(reference.length).toBeGreaterThanOrEqual(5);
        for (const { value } of reference) {
          expect(errorsOf(value)).toEqual([]);
          expect(errorsOf(mutate(value, { defaults: examplePolicy }).object)).toEqual([]);
        }
      },
    );
  });
});

// ---------------------------------------------------------------------------------------------------

/** The DefaultsPolicyError a call throws (fails the test when it throws nothing else). */
function policyError(run: () => unknown): DefaultsPolicyError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DefaultsPolicyError);
    return error as DefaultsPolicyError;
  }
  throw new Error('expected a DefaultsPolicyError, nothing was thrown');
}

const HEADER = 'apiVersion: acid-guard/v1\nkind: DefaultsPolicy\n';

describe('the defaults policy document', () => {
  it('loads examples/defaults-policy.yaml', () => {
    const loaded = loadDefaultsPolicy(readFileSync(POLICY_FILE, 'utf8'), 'examples/defaults-policy.yaml');
    expect(loaded.name).toBe('platform-defaults');
    expect(loaded.defaults).toMatchObject({ numberOfInstances: 2, postgresql: { version: '17' } });
    expect(loaded.teams.acid).toEqual({
      users: { acid_robot: ['login'] },
      databases: { acid_reports: 'acid_robot' },
    });
  });

  it('accepts fragments with none of the fields a manifest requires', () => {
    const loaded = loadDefaultsPolicy(
      `${HEADER}spec:\n  defaults:\n    standby:\n      standby_port: "5432"\n  teams:\n    acid: {}\n`,
      'p.yaml',
    );
    expect(loaded).toEqual({
      source: 'p.yaml',
      defaults: { standby: { standby_port: '5432' } },
      teams: { acid: {} },
    });
    expect(loadDefaultsPolicy(`${HEADER}spec: {}\n`, 'p.yaml')).toMatchObject({ defaults: {}, teams: {} });
  });

  it('reports every problem of the fragments with its line and column', () => {
    const error = policyError(() =>
      loadDefaultsPolicy(
        `${HEADER}spec:\n  defaults:\n    numberOfInstance: 2\n    postgresql:\n      version: 17\n  teams:\n    acid:\n      users:\n        robot: [logn]\n      patroni:\n`,
        'p.yaml',
      ),
    );
    expect(error.problems.map((p) => [p.path, p.location?.line, p.location?.column])).toEqual([
      ['spec.defaults.numberOfInstance', 5, 5],
      ['spec.defaults.postgresql.version', 7, 16],
      ['spec.teams[acid].users[robot][0]', 11, 17],
      ['spec.teams[acid].patroni', 12, 7],
    ]);
    expect(error.message.split('\n')[0]).toBe(
      'p.yaml:5:5: spec.defaults.numberOfInstance: unknown field "numberOfInstance" in spec.defaults; did you mean "numberOfInstances"?',
    );
    expect(error.message).toMatch(/p\.yaml:7:16: .*write the value in quotes, e\.g\. "17"/);
  });

  it('rejects unknown fields, other kinds and other versions of the envelope', () => {
    const error = policyError(() =>
      loadDefaultsPolicy('apiVersion: acid-guard/v2\nkind: DefaultPolicy\nspec:\n  default: {}\n', 'p.yaml'),
    );
    expect(error.problems.map((p) => p.path)).toEqual(['apiVersion', 'kind', 'spec.default']);
    expect(error.problems[2]?.hint).toBe('did you mean "defaults"?');
    expect(policyError(() => defaultsPolicyFromObject({ kind: 'DefaultsPolicy' }, 'x')).problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ message: expect.stringMatching(/apiVersion/) })]),
    );
  });

  it('rejects YAML that cannot be read, several documents and empty files', () => {
    expect(policyError(() => loadDefaultsPolicy(`${HEADER}spec: {defaults: [}\n`, 'p.yaml')).message).toMatch(
      /^p\.yaml:3:\d+: YAML syntax error/,
    );
    expect(
      policyError(() => loadDefaultsPolicy(`${HEADER}spec: {}\n---\n${HEADER}spec: {}\n`, 'p.yaml')).message,
    ).toBe(
      'p.yaml:5:1: the file holds 2 documents, a defaults policy is one; merge them into one spec.defaults and one spec.teams',
    );
    expect(policyError(() => loadDefaultsPolicy('# nothing\n', 'p.yaml')).message).toMatch(
      /^p\.yaml: the file holds no document/,
    );
  });

  it('makes a schema partial without loosening anything but presence', () => {
    expect(
      partialSchema({
        type: 'object',
        required: ['a'],
        properties: { a: { type: 'string', enum: ['x'] } },
        anyOf: [{ required: ['a'] }],
        additionalProperties: false,
      }),
    ).toEqual({
      type: 'object',
      properties: { a: { type: 'string', enum: ['x'] } },
      additionalProperties: false,
    });
  });
});
