import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { formatParameter } from '../../packages/validator/src/cli/explain-parameter.js';
import { ToolError } from '../../packages/validator/src/cli/tool-error.js';
import type { Postgresql } from '../../packages/validator/src/generated/postgresql.types.js';
import { policyWith } from '../../packages/validator/src/policy/operator-policy.js';
import { lookupParameter } from '../../packages/validator/src/postgres/parameter-table.js';
import { exampleManifest } from '../../packages/validator/src/rules/example-manifest.js';
import { POSTGRES_PARAMETERS_RULES } from '../../packages/validator/src/rules/postgres-parameters.js';
import type { Rule } from '../../packages/validator/src/rules/rule.js';
import type { Loose, RuleContext } from '../../packages/validator/src/rules/rule-context.js';
import { builtinSchema } from '../../packages/validator/src/schema/compiled-schema.js';

interface Found {
  ruleId: string;
  severity: string;
  path: string;
  message: string;
  hint?: string;
}

/**
 * Runs the rules directly on a manifest (they are not in the catalogue yet): the example base manifest
 * (version 17) with a fragment merged in, as the engine would pass it for a well-formed manifest.
 */
function runOn(object: unknown, old?: unknown, rules: readonly Rule[] = POSTGRES_PARAMETERS_RULES): Found[] {
  const context: RuleContext = {
    object: object as Loose<Postgresql>,
    operation: old === undefined ? 'CREATE' : 'UPDATE',
    schema: builtinSchema(),
    policy: policyWith(),
    now: new Date('2026-08-01T00:00:00Z'),
  };
  if (old !== undefined) context.old = old as Loose<Postgresql>;
  return rules.flatMap((rule) =>
    [...rule.check(context)].map((problem) => ({ ruleId: rule.id, severity: rule.severity, ...problem })),
  );
}

/** A fragment setting parameters (and optionally the version and more of the spec), as JSON, which is YAML. */
function fragment(
  parameters: Record<string, string>,
  version = '17',
  spec: Record<string, unknown> = {},
): string {
  return JSON.stringify({ spec: { ...spec, postgresql: { version, parameters } } });
}

function run(
  parameters: Record<string, string>,
  version = '17',
  spec: Record<string, unknown> = {},
): Found[] {
  return runOn(exampleManifest(fragment(parameters, version, spec)));
}

function update(
  before: Record<string, string>,
  after: Record<string, string>,
  options: {
    version?: string;
    oldVersion?: string;
    spec?: Record<string, unknown>;
    oldSpec?: Record<string, unknown>;
  } = {},
): Found[] {
  const version = options.version ?? '17';
  return runOn(
    exampleManifest(fragment(after, version, options.spec)),
    exampleManifest(fragment(before, options.oldVersion ?? version, options.oldSpec ?? options.spec)),
  );
}

const of = (found: Found[], ruleId: string) => found.filter((f) => f.ruleId === ruleId);
const path = (name: string) => `spec.postgresql.parameters[${name}]`;

describe('each rule on its own examples', () => {
  it('exports the family, with unique ids and distinct examples', () => {
    const ids = POSTGRES_PARAMETERS_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of POSTGRES_PARAMETERS_RULES) {
      expect(rule.id).toMatch(/^parameters\/[a-z][a-z-]*$/);
      expect(rule.bad).not.toBe(rule.good);
    }
    expect(ids).not.toContain('parameters/password-encryption');
  });

  describe.each(POSTGRES_PARAMETERS_RULES.map((rule) => [rule.id, rule] as const))('%s', (_id, rule) => {
    const old = rule.exampleOld === undefined ? undefined : exampleManifest(rule.exampleOld);
    it('fires on its bad example', () => {
      expect(runOn(exampleManifest(rule.bad), old).map((f) => f.ruleId)).toContain(rule.id);
    });
    it('stays silent on its good example', () => {
      expect(runOn(exampleManifest(rule.good), old).map((f) => f.ruleId)).not.toContain(rule.id);
    });
  });
});

describe('parameters/unknown', () => {
  it('suggests the closest name for a typo', () => {
    const [finding] = of(run({ shared_buffer: '512MB' }), 'parameters/unknown');
    expect(finding).toMatchObject({
      severity: 'error',
      path: path('shared_buffer'),
      message: 'unrecognized configuration parameter "shared_buffer" in PostgreSQL 17',
      hint: 'did you mean "shared_buffers"?',
    });
  });

  it('says when a parameter was removed, also before the oldest table, and what replaces it', () => {
    const [removed] = of(run({ wal_keep_segments: '64' }), 'parameters/unknown');
    expect(removed?.message).toContain('removed in 13');
    expect(removed?.hint).toMatch(/^use wal_keep_size/);
    const [parallel] = of(run({ force_parallel_mode: 'on' }, '16'), 'parameters/unknown');
    expect(parallel?.message).toContain('removed in 16');
    expect(parallel?.hint).toBe('use debug_parallel_query');
    expect(of(run({ force_parallel_mode: 'on' }, '15'), 'parameters/unknown')).toEqual([]);
    expect(
      of(run({ stats_temp_directory: '/run/pg_stat_tmp' }, '15'), 'parameters/unknown')[0]?.message,
    ).toContain('removed in 15');
    expect(of(run({ stats_temp_directory: '/run/pg_stat_tmp' }, '14'), 'parameters/unknown')).toEqual([]);
  });

  it('says when a parameter is new in a later version', () => {
    const [io] = of(run({ io_method: 'worker' }), 'parameters/unknown');
    expect(io?.message).toBe(
      'unrecognized configuration parameter "io_method": it is new in PostgreSQL 18, this cluster runs 17',
    );
    expect(io?.hint).toBe('remove it, or raise spec.postgresql.version to 18');
    expect(of(run({ io_method: 'worker' }, '18'), 'parameters/unknown')).toEqual([]);
    const [groups] = of(run({ ssl_groups: 'X25519' }), 'parameters/unknown');
    expect(groups?.message).toContain('new in PostgreSQL 18');
    expect(groups?.hint).toBe('on 17 write ssl_ecdh_curve');
  });

  it('accepts any case and the aliases the version still knows', () => {
    expect(
      of(run({ Shared_Buffers: '1GB', datestyle: 'ISO, DMY', sort_mem: '8MB' }), 'parameters/unknown'),
    ).toEqual([]);
    expect(of(run({ ssl_ecdh_curve: 'prime256v1' }, '18'), 'parameters/unknown')).toEqual([]);
  });

  it('names debug-build-only parameters as such', () => {
    expect(of(run({ wal_debug: 'on' }), 'parameters/unknown')[0]?.message).toContain('debugging options');
  });

  it('allows extension parameters, but only as prefix.name', () => {
    expect(
      of(run({ 'pg_stat_statements.max': '10000', 'my_ext.some_setting': 'x' }), 'parameters/unknown'),
    ).toEqual([]);
    for (const name of ['a.b.c', 'my-ext.max', '1ext.max', 'ext.', '.max']) {
      const [finding] = of(run({ [name]: 'x' }), 'parameters/unknown');
      expect(finding?.message, name).toContain('is not a valid parameter name');
    }
  });

  it('is silent when the version has no table (the schema reports it)', () => {
    expect(of(run({ shared_buffer: '1GB' }, '13'), 'parameters/unknown')).toEqual([]);
  });
});

describe('parameters/invalid-value', () => {
  it('rejects units PostgreSQL does not know, and says how to write them', () => {
    const [gib] = of(run({ shared_buffers: '2GiB' }), 'parameters/invalid-value');
    expect(gib).toMatchObject({
      severity: 'error',
      path: path('shared_buffers'),
      message: 'invalid value for parameter "shared_buffers": "2GiB"',
      hint: 'write 2GB (Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".)',
    });
    expect(of(run({ work_mem: '64mb' }), 'parameters/invalid-value')[0]?.hint).toMatch(/^write 64MB/);
    expect(of(run({ checkpoint_timeout: '15m' }), 'parameters/invalid-value')[0]?.hint).toMatch(
      /^write 15min/,
    );
    expect(of(run({ max_connections: '100MB' }), 'parameters/invalid-value')[0]?.hint).toBe(
      'This parameter takes a plain number, without a unit.',
    );
  });

  it('accepts PostgreSQL’s spellings: Boolean prefixes, hex and octal, fractions with units', () => {
    const values = {
      enable_seqscan: 'of',
      jit: 'T',
      track_io_timing: 'YES',
      max_connections: '0x64',
      max_wal_senders: '012',
      shared_buffers: '1.5GB',
      effective_cache_size: '4 GB',
      wal_level: 'LOGICAL',
      synchronous_commit: 'Remote_Write',
      statement_timeout: '30s',
      idle_in_transaction_session_timeout: '1min',
    };
    expect(run(values).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('rejects what PostgreSQL rejects', () => {
    const found = of(
      run({
        enable_seqscan: 'o',
        jit: 'enabled',
        max_connections: '08',
        work_mem: '',
        wal_level: 'hot',
        statement_timeout: '30 seconds',
        track_io_timing: 'on ',
      }),
      'parameters/invalid-value',
    );
    expect(found.map((f) => f.path).sort()).toEqual(
      [
        'enable_seqscan',
        'jit',
        'max_connections',
        'statement_timeout',
        'track_io_timing',
        'wal_level',
        'work_mem',
      ]
        .map(path)
        .sort(),
    );
    expect(found.find((f) => f.path === path('jit'))).toMatchObject({
      message: 'parameter "jit" requires a Boolean value',
      hint: 'write on or off',
    });
    expect(found.find((f) => f.path === path('wal_level'))?.hint).toBe(
      'Available values: minimal, replica, logical.',
    );
  });

  it('suggests the closest enum value', () => {
    expect(of(run({ log_statement: 'ddll' }), 'parameters/invalid-value')[0]?.hint).toContain(
      'Did you mean "ddl"?',
    );
  });

  it('leaves password_encryption to parameters/password-encryption', () => {
    expect(run({ password_encryption: 'on' })).toEqual([]);
    expect(run({ password_encryption: 'scram' })).toEqual([]);
  });

  it('follows the version: wal_compression lz4 is an error on 14 only', () => {
    expect(of(run({ wal_compression: 'lz4' }, '14'), 'parameters/invalid-value')).toHaveLength(1);
    expect(of(run({ wal_compression: 'lz4' }, '15'), 'parameters/invalid-value')).toEqual([]);
  });
});

describe('parameters/out-of-range', () => {
  it('checks the range after unit conversion, in blocks for shared_buffers', () => {
    const [finding] = of(run({ shared_buffers: '64kB' }), 'parameters/out-of-range');
    expect(finding).toMatchObject({
      severity: 'error',
      message:
        '8 8kB (64kB) is outside the valid range for parameter "shared_buffers" (16 8kB .. 1073741823 8kB)',
      hint: 'write a value from 128kB to ≈8TB',
    });
    expect(of(run({ shared_buffers: '128kB' }), 'parameters/out-of-range')).toEqual([]);
    expect(of(run({ shared_buffers: '9TB' }), 'parameters/out-of-range')).toHaveLength(1);
  });

  it('reads a bare number in the parameter’s unit', () => {
    expect(of(run({ work_mem: '32' }), 'parameters/out-of-range')[0]?.message).toBe(
      '32 kB is outside the valid range for parameter "work_mem" (64 kB .. 2147483647 kB)',
    );
    expect(of(run({ work_mem: '64' }), 'parameters/out-of-range')).toEqual([]);
  });

  it('keeps -1 sentinels in range and time limits exact', () => {
    expect(
      of(run({ log_min_duration_statement: '-1', autovacuum_work_mem: '-1' }), 'parameters/out-of-range'),
    ).toEqual([]);
    expect(of(run({ log_min_duration_statement: '-1s' }), 'parameters/out-of-range')).toHaveLength(1);
    expect(of(run({ checkpoint_timeout: '1d' }), 'parameters/out-of-range')).toEqual([]);
    expect(of(run({ checkpoint_timeout: '25h' }), 'parameters/out-of-range')).toHaveLength(1);
    expect(of(run({ checkpoint_timeout: '29s' }), 'parameters/out-of-range')).toHaveLength(1);
  });

  it('reports integers beyond 32 bits as out of range', () => {
    const [finding] = of(run({ max_wal_size: '99999999999' }), 'parameters/out-of-range');
    expect(finding?.hint).toMatch(/^Value exceeds integer range/);
  });
});

describe('parameters/read-only', () => {
  it('rejects internal and session-only parameters, once', () => {
    const found = run({ block_size: '16384', transaction_isolation: 'serializable', data_checksums: 'on' });
    expect(found.map((f) => f.ruleId)).toEqual([
      'parameters/read-only',
      'parameters/read-only',
      'parameters/read-only',
    ]);
    expect(found[0]).toMatchObject({ severity: 'error', path: path('block_size') });
    expect(found[0]?.message).toContain('cannot be changed');
    expect(found[1]?.hint).toBe('write default_transaction_isolation');
    expect(found[2]?.hint).toContain('data-checksums');
  });
});

describe('parameters/managed', () => {
  const managed = (found: Found[]) => of(found, 'parameters/managed');

  it('warns that Patroni ignores listen_addresses, port and cluster_name, naming who wins', () => {
    const found = managed(run({ listen_addresses: '0.0.0.0', port: '5433', cluster_name: 'x' }));
    expect(found.map((f) => f.path)).toEqual([path('listen_addresses'), path('port'), path('cluster_name')]);
    expect(found[1]?.severity).toBe('warning');
    expect(found[1]?.message).toMatch(/so the value is ignored; Patroni wins$/);
  });

  it('warns for hot_standby and wal_log_hints off only', () => {
    expect(managed(run({ hot_standby: 'off', wal_log_hints: 'off' }))).toHaveLength(2);
    expect(managed(run({ hot_standby: 'on', wal_log_hints: 'on' }))).toEqual([]);
  });

  it('names Patroni’s minimums and what it uses instead', () => {
    const [finding] = managed(run({ max_connections: '10' }));
    expect(finding?.message).toContain(
      'Patroni refuses "10" (its minimum is 25) and starts PostgreSQL with 100 instead',
    );
    expect(finding?.hint).toBe('write at least 25');
    expect(managed(run({ max_connections: '25', max_wal_senders: '3', max_replication_slots: '4' }))).toEqual(
      [],
    );
    expect(managed(run({ wal_keep_size: '8MB' }))[0]?.message).toContain('minimum is 16MB');
    expect(managed(run({ wal_keep_size: '1GB' }))).toEqual([]);
  });

  it('knows wal_level: minimal is replaced by Patroni, anything but logical by the operator when streams exist', () => {
    expect(managed(run({ wal_level: 'minimal' }))[0]?.message).toContain('uses replica');
    expect(managed(run({ wal_level: 'replica' }))).toEqual([]);
    const streams = [
      { applicationId: 'orders', database: 'orders', tables: { 'public.orders': { eventType: 'e' } } },
    ];
    const [forced] = managed(run({ wal_level: 'replica' }, '17', { streams }));
    expect(forced?.message).toContain('the operator sets wal_level to logical');
    expect(forced?.message).toMatch(/the operator wins$/);
    expect(managed(run({ wal_level: 'logical' }, '17', { streams }))).toEqual([]);
  });

  it('warns for synchronous_standby_names only in synchronous mode', () => {
    expect(managed(run({ synchronous_standby_names: '*' }))).toEqual([]);
    const found = managed(
      run({ synchronous_standby_names: '*' }, '17', { patroni: { synchronous_mode: true } }),
    );
    expect(found[0]?.hint).toContain('synchronous_node_count');
  });

  it('warns for recovery parameters, which Patroni handles itself', () => {
    const found = managed(
      run({ primary_conninfo: 'host=x', recovery_target_time: '2026-01-01', restore_command: 'cp' }),
    );
    expect(found).toHaveLength(3);
    expect(found[2]?.message).toContain('only while a pod is a replica');
  });

  it('lists the libraries a manifest shared_preload_libraries drops from Spilo’s', () => {
    const [finding] = managed(run({ shared_preload_libraries: 'pg_stat_statements,auto_explain' }));
    expect(finding?.message).toContain(
      'drops bg_mon,pgextwlist,pg_auth_mon,set_user,timescaledb,pg_cron,pg_stat_kcache',
    );
    expect(finding?.message).toMatch(/the manifest's value replaces Spilo's$/);
    expect(finding?.hint).toBe(
      'append the missing ones: pg_stat_statements,auto_explain,bg_mon,pgextwlist,pg_auth_mon,set_user,timescaledb,pg_cron,pg_stat_kcache',
    );
    const all = 'bg_mon,pg_stat_statements,pgextwlist,pg_auth_mon,set_user,auto_explain';
    expect(managed(run({ shared_preload_libraries: all }, '18'))).toEqual([]);
    expect(managed(run({ shared_preload_libraries: all }, '17'))).toHaveLength(1);
  });

  it('warns when Spilo’s logging and archiving are replaced, not when the value is Spilo’s', () => {
    expect(
      managed(run({ log_destination: 'csvlog', log_file_mode: '0644', log_rotation_age: '1440' })),
    ).toEqual([]);
    expect(
      managed(run({ log_destination: 'stderr', log_file_mode: '0600', archive_command: '/bin/true' })),
    ).toHaveLength(3);
    expect(managed(run({ archive_mode: 'off' }))).toHaveLength(1);
    expect(managed(run({ archive_mode: 'always' }))).toEqual([]);
  });

  it('leaves names the version does not know to parameters/unknown', () => {
    expect(run({ promote_trigger_file: '/tmp/promote' }, '17').map((f) => f.ruleId)).toEqual([
      'parameters/unknown',
    ]);
    expect(managed(run({ promote_trigger_file: '/tmp/promote' }, '15'))).toHaveLength(1);
  });

  it('is silent for ordinary parameters and Spilo’s informational ones', () => {
    expect(managed(run({ shared_buffers: '1GB', work_mem: '8MB', tcp_keepalives_idle: '300' }))).toEqual([]);
  });
});

describe('parameters/preload-required', () => {
  const preload = (found: Found[]) => of(found, 'parameters/preload-required');

  it('knows what Spilo preloads when the manifest is silent', () => {
    expect(preload(run({ 'pg_stat_statements.max': '10000', 'bg_mon.history_buckets': '60' }))).toEqual([]);
    expect(preload(run({ 'cron.database_name': 'postgres' }, '17'))).toEqual([]);
    const [cron] = preload(run({ 'cron.database_name': 'postgres' }, '18'));
    expect(cron?.message).toContain('pg_cron is not among the libraries Spilo preloads for PostgreSQL 18');
  });

  it('checks a manifest shared_preload_libraries, once per library', () => {
    const found = preload(
      run({
        shared_preload_libraries: 'bg_mon,pgextwlist,"auto_explain"',
        'pg_stat_statements.max': '10000',
        'pg_stat_statements.track': 'all',
        'auto_explain.log_min_duration': '1s',
      }),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'warning', path: path('pg_stat_statements.max') });
    expect(found[0]?.hint).toBe(
      'set shared_preload_libraries: "bg_mon,pgextwlist,auto_explain,pg_stat_statements"',
    );
  });

  it('accepts session_preload_libraries for auto_explain only', () => {
    expect(
      preload(run({ session_preload_libraries: 'auto_explain', 'auto_explain.log_analyze': 'on' })),
    ).toEqual([]);
    expect(preload(run({ session_preload_libraries: 'pgaudit', 'pgaudit.log': 'ddl' }))).toHaveLength(1);
  });

  it('ignores extensions it knows nothing about', () => {
    expect(preload(run({ 'my_ext.setting': 'x' }))).toEqual([]);
  });
});

describe('parameters/restart-required', () => {
  const restart = (found: Found[]) => of(found, 'parameters/restart-required');

  it('warns that a postmaster parameter restarts every pod, replicas first', () => {
    const [finding] = restart(update({ max_connections: '100' }, { max_connections: '200' }));
    expect(finding).toMatchObject({ severity: 'warning', path: path('max_connections') });
    expect(finding?.message).toContain('restarts PostgreSQL on every pod');
    expect(finding?.message).toContain('replicas first, then the primary');
  });

  it('says the primary goes first when only decreases of the five settings are pending', () => {
    const [down] = restart(
      update(
        { max_connections: '200', max_worker_processes: '16' },
        { max_connections: '100', max_worker_processes: '8' },
      ),
    );
    expect(down?.message).toContain('primary first');
    const [mixed] = restart(
      update({ max_connections: '200', work_mem: '4MB' }, { max_connections: '100', work_mem: '8MB' }),
    );
    expect(mixed?.message).toContain('replicas first');
    const [patroni] = restart(
      update(
        { max_connections: '200' },
        { max_connections: '100' },
        { oldSpec: { patroni: { ttl: 30 } }, spec: { patroni: { ttl: 40 } } },
      ),
    );
    expect(patroni?.message).toContain('replicas first');
  });

  it('warns that parameters kept in SPILO_CONFIGURATION re-create every pod, whatever their context', () => {
    const found = restart(update({ shared_buffers: '1GB', archive_command: 'a' }, { shared_buffers: '2GB' }));
    expect(found.map((f) => f.path)).toEqual([path('shared_buffers'), 'spec.postgresql.parameters']);
    expect(found[0]?.message).toContain('re-creates every pod');
    expect(found[1]?.message).toMatch(/^removing archive_command re-creates every pod/);
  });

  it('is silent for reloadable and removed Patroni parameters, creates, major upgrades and forced wal_level', () => {
    expect(restart(update({ work_mem: '4MB', max_connections: '100' }, { work_mem: '8MB' }))).toEqual([]);
    expect(run({ max_connections: '500' })).toEqual([]);
    expect(
      restart(update({ max_connections: '100' }, { max_connections: '200' }, { oldVersion: '16' })),
    ).toEqual([]);
    const streams = [
      { applicationId: 'orders', database: 'orders', tables: { 'public.orders': { eventType: 'e' } } },
    ];
    expect(
      restart(update({ wal_level: 'replica' }, { wal_level: 'logical' }, { spec: { streams } })),
    ).toEqual([]);
  });
});

describe('parameters/minor-release', () => {
  it('warns for parameters added in a minor release', () => {
    const [finding] = of(run({ output_plugin_libraries: 'pgoutput, wal2json' }), 'parameters/minor-release');
    expect(finding?.message).toBe(
      'output_plugin_libraries exists only from PostgreSQL 17.11 on: an image with an older 17.x ignores it',
    );
    expect(
      of(run({ file_extend_method: 'write_zeros' }, '16'), 'parameters/minor-release')[0]?.message,
    ).toContain('16.12');
    expect(of(run({ wal_level: 'logical' }), 'parameters/minor-release')).toEqual([]);
  });
});

describe('parameters/ssl-off', () => {
  it('rejects ssl off with Spilo’s pg_hba, in any Boolean spelling', () => {
    for (const value of ['off', 'false', 'no', '0', 'OFF']) {
      expect(of(run({ ssl: value }), 'parameters/ssl-off'), value).toHaveLength(1);
    }
    expect(of(run({ ssl: 'on' }), 'parameters/ssl-off')).toEqual([]);
  });

  it('accepts it with a custom spec.patroni.pg_hba', () => {
    const spec = { patroni: { pg_hba: ['host all all all scram-sha-256'] } };
    expect(of(run({ ssl: 'off' }, '17', spec), 'parameters/ssl-off')).toEqual([]);
  });
});

const examples = join(import.meta.dirname, '..', '..', '..', 'shared', 'reference', 'examples');
const examplesPresent = existsSync(examples);
if (!examplesPresent)
  console.warn(`postgres parameters: ${examples} is missing — the example manifests are skipped`);

describe.skipIf(!examplesPresent)("the operator's example manifests", () => {
  const documents = examplesPresent
    ? readdirSync(examples)
        .filter((f) => f.endsWith('.yaml'))
        .flatMap((file) =>
          (loadAll(readFileSync(join(examples, file), 'utf8')) as { kind?: string }[])
            .filter((doc) => doc?.kind === 'postgresql')
            .map((doc) => [file, doc] as const),
        )
    : [];

  it('have parameters to check', () => {
    const parameters = documents.flatMap(([, doc]) =>
      Object.keys((doc as Postgresql).spec?.postgresql?.parameters ?? {}),
    );
    expect(parameters.length).toBeGreaterThan(0);
  });

  it.each(documents)('%s: every parameter is known and valid in its version', (_file, doc) => {
    const manifest = doc as Postgresql;
    for (const name of Object.keys(manifest.spec.postgresql.parameters ?? {})) {
      expect(lookupParameter(manifest.spec.postgresql.version, name), name).toBeDefined();
    }
    expect(runOn(doc).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('warn only about max_connections "10", which Patroni raises to its minimum', () => {
    const warnings = documents.flatMap(([, doc]) => runOn(doc));
    expect(warnings.map((w) => `${w.ruleId} ${w.path}`)).toEqual([
      'parameters/managed spec.postgresql.parameters[max_connections]',
    ]);
  });
});

describe('acid-guard explain parameter', () => {
  it('shows type, unit, range, default, context, management and versions', () => {
    const text = formatParameter('shared_buffers', '17');
    expect(text).toContain('shared_buffers (PostgreSQL 17, REL_17_12)');
    expect(text).toContain('integer in 8kB blocks');
    expect(text).toContain('16 .. 1073741823 8kB (128kB .. ≈8TB)');
    expect(text).toContain('default:  16384 (128MB)');
    expect(text).toContain('postmaster — a change takes effect only when PostgreSQL restarts');
    expect(text).toContain('SPILO_CONFIGURATION');
    expect(text).toContain('versions: 14, 15, 16, 17, 18');
  });

  it('shows enum values, reload contexts, aliases, Patroni’s rules and minor releases', () => {
    expect(formatParameter('wal_level', '17')).toContain(
      'enum: minimal, replica, logical (any case; also accepted: archive, hot_standby)',
    );
    expect(formatParameter('work_mem', '17')).toContain('a change takes effect on reload');
    expect(formatParameter('sort_mem', '17')).toContain('"sort_mem" is an old name of work_mem');
    expect(formatParameter('max_connections', '17')).toContain(
      'Patroni refuses a lower value (its minimum is 25)',
    );
    expect(formatParameter('output_plugin_libraries', '16')).toContain('16 (from 16.15)');
    expect(formatParameter('autovacuum_max_workers', '18')).toContain('context:  sighup');
  });

  it('throws a tool error with did-you-mean for unknown names and versions', () => {
    const message = (name: string, version: string) => {
      try {
        formatParameter(name, version);
      } catch (error) {
        expect(error).toBeInstanceOf(ToolError);
        return (error as ToolError).message;
      }
      throw new Error('no error');
    };
    expect(message('shared_buffer', '17')).toContain('did you mean "shared_buffers"?');
    expect(message('wal_keep_segments', '17')).toContain('removed in 13');
    expect(message('io_method', '17')).toContain('new in 18');
    expect(message('shared_buffers', '13')).toContain('did you mean 14?');
    expect(message('pg_stat_statements.max', '17')).toContain("extension's parameter");
  });
});
