import { describe, expect, it } from 'vitest';
import {
  explainAbsence,
  lookupParameter,
  type ParameterDefinition,
  parameterNames,
  parameterTableVersions,
  versionsWithParameter,
} from '../../packages/validator/src/postgres/parameter-table.js';
import {
  checkParameterValue,
  formatApproximate,
  formatQuantity,
  MEMORY_UNITS_HINT,
  parseIntegerSetting,
  parsePostgresBool,
  parseRealSetting,
  rint,
  strtod,
  strtol,
  TIME_UNITS_HINT,
} from '../../packages/validator/src/postgres/parameter-values.js';

function definition(name: string, version = '17'): ParameterDefinition {
  const found = lookupParameter(version, name);
  if (found === undefined) throw new Error(`${name} unknown in ${version}`);
  return found;
}

/** The value in the parameter's unit, or the kind of problem. */
function read(name: string, value: string, version = '17'): number | boolean | string {
  const result = checkParameterValue(definition(name, version), value);
  return result.kind === 'ok' ? result.value : result.kind;
}

describe('parse_bool', () => {
  it.each([
    ['on', true],
    ['off', false],
    ['true', true],
    ['false', false],
    ['yes', true],
    ['no', false],
    ['1', true],
    ['0', false],
    ['TRUE', true],
    ['Off', false],
    ['t', true],
    ['tr', true],
    ['tru', true],
    ['f', false],
    ['fa', false],
    ['y', true],
    ['ye', true],
    ['n', false],
    ['of', false],
  ])('reads %j as %s', (text, value) => {
    expect(parsePostgresBool(text)).toBe(value);
  });

  it.each(['o', 'onn', 'offf', 'truex', 'yess', '01', '10', '2', 'enabled', '', ' on', 'on '])(
    'refuses %j (no trimming, "o" is ambiguous, only unique prefixes)',
    (text) => {
      expect(parsePostgresBool(text)).toBeUndefined();
    },
  );
});

describe('C number parsing', () => {
  it('strtol with base 0 reads decimal, hex and octal and stops where the number ends', () => {
    expect(strtol('123abc')).toMatchObject({ value: 123, end: 3 });
    expect(strtol('0x1F')).toMatchObject({ value: 31, end: 4 });
    expect(strtol('0X1f')).toMatchObject({ value: 31, end: 4 });
    expect(strtol('010')).toMatchObject({ value: 8, end: 3 });
    expect(strtol('08')).toMatchObject({ value: 0, end: 1 });
    expect(strtol('0x')).toMatchObject({ value: 0, end: 1 });
    expect(strtol('  -42')).toMatchObject({ value: -42, end: 5 });
    expect(strtol('abc').end).toBe(0);
    expect(strtol('99999999999999999999').rangeError).toBe(true);
  });

  it('strtod reads decimals, exponents, hex floats and infinity, and flags overflow', () => {
    expect(strtod('1.5e3x')).toMatchObject({ value: 1500, end: 5 });
    expect(strtod('.5')).toMatchObject({ value: 0.5, end: 2 });
    expect(strtod('5.')).toMatchObject({ value: 5, end: 2 });
    expect(strtod('1e')).toMatchObject({ value: 1, end: 1 });
    expect(strtod('0x1p3')).toMatchObject({ value: 8, end: 5 });
    expect(strtod('0x1.8')).toMatchObject({ value: 1.5, end: 5 });
    expect(strtod('-inf').value).toBe(Number.NEGATIVE_INFINITY);
    expect(strtod('Infinity').end).toBe(8);
    expect(Number.isNaN(strtod('nan').value)).toBe(true);
    expect(strtod('1e400').rangeError).toBe(true);
    expect(strtod('1e-400').rangeError).toBe(true);
    expect(strtod('0e-400').rangeError).toBe(false);
    expect(strtod('x').end).toBe(0);
  });

  it('rounds halves to even, like rint', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6].map(rint)).toEqual([0, 2, 2, -0, -2, -2, 2, 3]);
  });
});

describe('integers', () => {
  it('accepts hex and octal, and fractions rounded to an int', () => {
    expect(parseIntegerSetting('0x64', undefined)).toEqual({ ok: true, value: 100 });
    expect(parseIntegerSetting('0144', undefined)).toEqual({ ok: true, value: 100 });
    expect(parseIntegerSetting('100.4', undefined)).toEqual({ ok: true, value: 100 });
    expect(parseIntegerSetting('2.5', undefined)).toEqual({ ok: true, value: 2 });
    expect(parseIntegerSetting('1e3', undefined)).toEqual({ ok: true, value: 1000 });
    expect(parseIntegerSetting('.5', undefined)).toEqual({ ok: true, value: 0 });
  });

  it('refuses what strtol/strtod cannot read, units on unitless parameters and ints beyond 32 bits', () => {
    expect(parseIntegerSetting('', undefined)).toMatchObject({ ok: false, reason: 'syntax' });
    expect(parseIntegerSetting('abc', undefined)).toMatchObject({ ok: false, reason: 'syntax' });
    expect(parseIntegerSetting('inf', undefined)).toMatchObject({ ok: false, reason: 'syntax' });
    expect(parseIntegerSetting('1e400', undefined)).toMatchObject({ ok: false, reason: 'syntax' });
    expect(parseIntegerSetting('08', undefined)).toMatchObject({ ok: false, reason: 'no-unit' });
    expect(parseIntegerSetting('100MB', undefined)).toMatchObject({ ok: false, reason: 'no-unit' });
    expect(parseIntegerSetting('2147483648', undefined)).toMatchObject({ ok: false, reason: 'int-range' });
    expect(parseIntegerSetting('2147483647', undefined)).toEqual({ ok: true, value: 2147483647 });
    expect(parseIntegerSetting('-2147483648', undefined)).toEqual({ ok: true, value: -2147483648 });
  });
});

describe('memory units', () => {
  it('converts to 8kB blocks for shared_buffers, rounding a fraction to the next smaller unit', () => {
    expect(read('shared_buffers', '128MB')).toBe(16384);
    expect(read('shared_buffers', '1GB')).toBe(131072);
    expect(read('shared_buffers', '1.5GB')).toBe(196608);
    // 30.1GB = 30822.4MB, rounded to 30822MB, i.e. 3945216 blocks.
    expect(read('shared_buffers', '30.1GB')).toBe(3945216);
    expect(read('shared_buffers', '128kB')).toBe(16);
    expect(read('shared_buffers', '16')).toBe(16);
    expect(read('shared_buffers', '131072B')).toBe(16);
    expect(read('shared_buffers', '128 MB')).toBe(16384);
    expect(read('shared_buffers', ' 128MB ')).toBe(16384);
  });

  it('converts to kB and MB bases', () => {
    expect(read('work_mem', '64MB')).toBe(65536);
    expect(read('work_mem', '1.5MB')).toBe(1536);
    expect(read('max_wal_size', '2GB')).toBe(2048);
    expect(read('max_wal_size', '1TB')).toBe(1048576);
    expect(read('track_activity_query_size', '2kB')).toBe(2048);
  });

  it('is case-sensitive and knows no binary or Kubernetes suffixes', () => {
    for (const value of ['2GiB', '2Gi', '2gb', '2G', '2Kb', '128mb', '1GBx', '128MB extra']) {
      expect(read('shared_buffers', value), value).toBe('invalid');
    }
    const result = checkParameterValue(definition('shared_buffers'), '2GiB');
    expect(result).toMatchObject({ kind: 'invalid', hint: MEMORY_UNITS_HINT, suggestion: '2GB' });
    expect(result.kind === 'invalid' && result.message).toBe(
      'invalid value for parameter "shared_buffers": "2GiB"',
    );
  });
});

describe('time units', () => {
  it('converts us, ms, s, min, h and d to the base unit', () => {
    expect(read('log_min_duration_statement', '250ms')).toBe(250);
    expect(read('log_min_duration_statement', '2.5s')).toBe(2500);
    expect(read('log_min_duration_statement', '1min')).toBe(60000);
    expect(read('log_min_duration_statement', '1h')).toBe(3600000);
    expect(read('log_min_duration_statement', '1d')).toBe(86400000);
    expect(read('log_min_duration_statement', '1500us')).toBe(2);
    expect(read('checkpoint_timeout', '5min')).toBe(300);
    expect(read('archive_timeout', '1500ms')).toBe(2);
    expect(read('archive_timeout', '2500ms')).toBe(2);
    expect(read('log_rotation_age', '1d')).toBe(1440);
    expect(read('log_rotation_age', '90s')).toBe(2);
  });

  it('is case-sensitive and suggests the right spelling', () => {
    const result = checkParameterValue(definition('log_min_duration_statement'), '1H');
    expect(result).toMatchObject({ kind: 'invalid', hint: TIME_UNITS_HINT, suggestion: '1h' });
    expect(read('checkpoint_timeout', '5m')).toBe('invalid');
    expect(read('checkpoint_timeout', '300sec')).toBe('invalid');
  });

  it('keeps -1 as the sentinel inside the range, but not -1 with a unit', () => {
    expect(read('log_min_duration_statement', '-1')).toBe(-1);
    expect(read('log_min_duration_statement', '-1s')).toBe('out-of-range');
    expect(read('log_min_duration_statement', '-2')).toBe('out-of-range');
    expect(read('autovacuum_work_mem', '-1')).toBe(-1);
    expect(read('wal_buffers', '-1')).toBe(-1);
  });
});

describe('reals', () => {
  it('reads fractions with units, and checks the range', () => {
    expect(read('vacuum_cost_delay', '20ms')).toBe(20);
    expect(read('vacuum_cost_delay', '0.5ms')).toBe(0.5);
    expect(read('vacuum_cost_delay', '0.5s')).toBe('out-of-range');
    expect(read('checkpoint_completion_target', '0.9')).toBe(0.9);
    expect(read('checkpoint_completion_target', '1.1')).toBe('out-of-range');
    expect(read('random_page_cost', '0x1p2')).toBe(4);
    expect(read('random_page_cost', 'inf')).toBe('out-of-range');
    expect(read('random_page_cost', 'nan')).toBe('invalid');
    expect(read('random_page_cost', '1.1x')).toBe('invalid');
    expect(parseRealSetting('1e400', undefined)).toMatchObject({ ok: false, reason: 'syntax' });
  });
});

describe('enums', () => {
  it('match listed and hidden values in any case', () => {
    expect(read('wal_level', 'REPLICA')).toBe('replica');
    expect(read('wal_level', 'hot_standby')).toBe('hot_standby');
    expect(read('synchronous_commit', 'Remote_Apply')).toBe('remote_apply');
    expect(read('synchronous_commit', 'true')).toBe('true');
    expect(read('default_transaction_isolation', 'READ COMMITTED')).toBe('read committed');
  });

  it('refuse other values with the list PostgreSQL prints, and do not trim', () => {
    const result = checkParameterValue(definition('wal_level'), 'hot');
    expect(result).toMatchObject({
      kind: 'invalid',
      message: 'invalid value for parameter "wal_level": "hot"',
      hint: 'Available values: minimal, replica, logical.',
    });
    expect(read('wal_level', ' logical')).toBe('invalid');
  });

  it('follow the version: wal_compression is a Boolean in 14 and an enum from 15', () => {
    expect(read('wal_compression', 'lz4', '14')).toBe('invalid');
    expect(read('wal_compression', 'lz4', '15')).toBe('lz4');
  });
});

describe('ranges', () => {
  it('report PostgreSQL’s message with the unit and a readable size', () => {
    const result = checkParameterValue(definition('shared_buffers'), '64kB');
    expect(result).toMatchObject({
      kind: 'out-of-range',
      value: 8,
      message:
        '8 8kB (64kB) is outside the valid range for parameter "shared_buffers" (16 8kB .. 1073741823 8kB)',
      hint: 'write a value from 128kB to ≈8TB',
    });
    expect(read('shared_buffers', '120kB')).toBe('out-of-range');
    expect(read('work_mem', '32')).toBe('out-of-range');
    expect(read('work_mem', '63kB')).toBe('out-of-range');
    expect(read('work_mem', '64kB')).toBe(64);
  });

  it('every version accepts its own defaults, minimum and maximum, and refuses one below and above', () => {
    for (const version of parameterTableVersions()) {
      for (const name of parameterNames(version)) {
        const d = definition(name, version);
        if (d.readOnly || d.type === 'string' || d.defaultValue === null) continue;
        const text =
          typeof d.defaultValue === 'boolean' ? (d.defaultValue ? 'on' : 'off') : String(d.defaultValue);
        expect(checkParameterValue(d, text).kind, `${version} ${name} = ${text}`).toBe('ok');
        if (d.type !== 'integer' || d.min === undefined || d.max === undefined) continue;
        expect(checkParameterValue(d, String(d.min)).kind, `${version} ${name} min`).toBe('ok');
        expect(checkParameterValue(d, String(d.max)).kind, `${version} ${name} max`).toBe('ok');
        expect(checkParameterValue(d, String(d.min - 1)).kind, `${version} ${name} min-1`).toBe(
          'out-of-range',
        );
        expect(checkParameterValue(d, String(d.max + 1)).kind, `${version} ${name} max+1`).toBe(
          'out-of-range',
        );
      }
    }
  });
});

describe('formatting', () => {
  it('writes a value with the largest unit that divides it', () => {
    expect(formatQuantity(16384, '8kB')).toBe('128MB');
    expect(formatQuantity(300, 's')).toBe('5min');
    expect(formatQuantity(1440, 'min')).toBe('1d');
    expect(formatQuantity(2.5, 'ms')).toBe('2500us');
    expect(formatQuantity(-1, 'ms')).toBe('-1');
    expect(formatQuantity(100, undefined)).toBe('100');
    expect(formatApproximate(2147483647, 'kB')).toBe('≈2TB');
  });
});

describe('parameter table', () => {
  it('covers 14 to 18 and resolves names in any case and old aliases', () => {
    expect(parameterTableVersions()).toEqual(['14', '15', '16', '17', '18']);
    expect(lookupParameter('17', 'SHARED_BUFFERS')?.name).toBe('shared_buffers');
    expect(lookupParameter('17', 'datestyle')?.name).toBe('DateStyle');
    expect(lookupParameter('17', 'sort_mem')?.name).toBe('work_mem');
    expect(lookupParameter('18', 'ssl_ecdh_curve')?.name).toBe('ssl_groups');
    expect(lookupParameter('17', 'ssl_ecdh_curve')?.name).toBe('ssl_ecdh_curve');
    expect(lookupParameter('17', 'shared_buffer')).toBeUndefined();
  });

  it('knows which versions have a name and what changed between them', () => {
    expect(versionsWithParameter('stats_temp_directory')).toEqual(['14']);
    expect(versionsWithParameter('io_method')).toEqual(['18']);
    expect(definition('autovacuum_max_workers', '17').context).toBe('postmaster');
    expect(definition('autovacuum_max_workers', '18').context).toBe('sighup');
    expect(definition('output_plugin_libraries', '17').sinceMinor).toBe('17.11');
  });

  it('knows the parameter the Debian/PGDG packages add up to 17 (Spilo installs those packages)', () => {
    expect(definition('extension_destdir', '17')).toMatchObject({ type: 'string', packaging: true });
    expect(lookupParameter('18', 'extension_destdir')).toBeUndefined();
    expect(explainAbsence('18', 'extension_destdir')).toMatchObject({ kind: 'removed', removedIn: '18' });
  });

  it('explains absences: removed (also before 14), new, debug-only, or a typo', () => {
    expect(explainAbsence('17', 'wal_keep_segments')).toMatchObject({ kind: 'removed', removedIn: '13' });
    expect(explainAbsence('17', 'force_parallel_mode')).toMatchObject({
      kind: 'removed',
      removedIn: '16',
      replacement: { use: 'debug_parallel_query' },
    });
    expect(explainAbsence('17', 'io_method')).toEqual({ kind: 'new', newIn: '18' });
    expect(explainAbsence('14', 'debug_parallel_query')).toMatchObject({ kind: 'new', newIn: '16' });
    expect(explainAbsence('17', 'wal_debug')).toEqual({ kind: 'debug-build' });
    expect(explainAbsence('17', 'shared_buffer')).toEqual({ kind: 'unknown', suggestion: 'shared_buffers' });
    expect(explainAbsence('17', 'qqqqqqqqqqqqqq')).toEqual({ kind: 'unknown' });
  });
});
