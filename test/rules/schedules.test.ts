import { describe, expect, it } from 'vitest';
import type { Finding } from '../../packages/validator/src/finding.js';
import { type OperatorPolicy, policyWith } from '../../packages/validator/src/policy/operator-policy.js';
import { exampleManifest } from '../../packages/validator/src/rules/example-manifest.js';
import { cronRange, scheduleError } from '../../packages/validator/src/rules/logical-backup.js';
import { parseHourMinute, parseMaintenanceWindow } from '../../packages/validator/src/rules/maintenance.js';
import { imageName, spiloMajor } from '../../packages/validator/src/rules/version.js';
import { type ValidationContext, validate } from '../../packages/validator/src/validate.js';

interface Options {
  policy?: Partial<OperatorPolicy>;
  old?: Record<string, unknown>;
}

/** Findings for the example manifest with `spec` merged in (written as an object: no YAML quoting games). */
function check(spec: Record<string, unknown>, options: Options = {}): Finding[] {
  const context: ValidationContext = { policy: policyWith(options.policy ?? {}) };
  if (options.old !== undefined) {
    context.old = exampleManifest(JSON.stringify({ spec: options.old }));
    context.operation = 'UPDATE';
  }
  return validate(exampleManifest(JSON.stringify({ spec })), context);
}

function of(ruleId: string, findings: Finding[]): Finding[] {
  return findings.filter((f) => f.ruleId === ruleId);
}

describe('maintenance window parser (port of MaintenanceWindow.UnmarshalJSON)', () => {
  it.each([
    ['01:00-02:00', { start: 60, end: 120 }],
    ['Mon:01:00-02:00', { weekday: 1, start: 60, end: 120 }],
    ['Sun:22:00-23:59', { weekday: 0, start: 1320, end: 1439 }],
    ['Sat:00:00-00:30', { weekday: 6, start: 0, end: 30 }],
    // Go's "15" takes one or two digits; the end part is parsed the same way.
    ['1:00-2:00', { start: 60, end: 120 }],
    ['Tue:9:30-10:00', { weekday: 2, start: 570, end: 600 }],
    // Equal start and end is a one-minute window, not an error.
    ['23:59-23:59', { start: 1439, end: 1439 }],
    ['Wed:10:00-10:00', { weekday: 3, start: 600, end: 600 }],
  ])('accepts %s', (value, window) => {
    expect(parseMaintenanceWindow(value)).toEqual({ ok: true, window });
  });

  it.each([
    // not exactly one '-', or a start part with neither 2 nor 3 ':'-parts
    ['01:00', 'incorrect maintenance window format'],
    ['01:00-02:00-03:00', 'incorrect maintenance window format'],
    ['Mon-01:00-02:00', 'incorrect maintenance window format'],
    ['01-02:00', 'incorrect maintenance window format'],
    ['-01:00', 'incorrect maintenance window format'],
    ['Mon:01:00:00-02:00', 'incorrect maintenance window format'],
    // weekdays are case-sensitive three-letter names; seconds in the start read as a weekday
    ['mon:01:00-02:00', 'could not parse weekday: incorrect weekday'],
    ['MON:01:00-02:00', 'could not parse weekday: incorrect weekday'],
    ['Monday:01:00-02:00', 'could not parse weekday: incorrect weekday'],
    [' Mon:01:00-02:00', 'could not parse weekday: incorrect weekday'],
    ['01:00:00-02:00', 'could not parse weekday: incorrect weekday'],
    // single-digit minutes: Go's "04" wants exactly two digits
    [
      'Mon:01:5-02:00',
      'could not parse start time: parsing time "01:5" as "15:04": cannot parse "5" as "04"',
    ],
    ['1:5-2:00', 'could not parse start time: parsing time "1:5" as "15:04": cannot parse "5" as "04"'],
    ['01:00-02:5', 'could not parse end time: parsing time "02:5" as "15:04": cannot parse "5" as "04"'],
    // spaces
    [
      ' 01:00-02:00',
      'could not parse start time: parsing time " 01:00" as "15:04": cannot parse " 01:00" as "15"',
    ],
    ['01:00 -02:00', 'could not parse start time: parsing time "01:00 ": extra text: " "'],
    ['01:00-02:00 ', 'could not parse end time: parsing time "02:00 ": extra text: " "'],
    [
      '01:00- 02:00',
      'could not parse end time: parsing time " 02:00" as "15:04": cannot parse " 02:00" as "15"',
    ],
    // a weekday or seconds in the end part
    ['Mon:01:00-Mon:02:00', 'could not parse end time: incorrect time format'],
    ['01:00-02:00:00', 'could not parse end time: incorrect time format'],
    ['01:00-0200', 'could not parse end time: incorrect time format'],
    // ranges and digit counts
    ['24:00-24:00', 'could not parse start time: parsing time "24:00": hour out of range'],
    ['10:60-11:00', 'could not parse start time: parsing time "10:60": minute out of range'],
    ['10:00-10:99', 'could not parse end time: parsing time "10:99": minute out of range'],
    [
      '100:00-101:00',
      'could not parse start time: parsing time "100:00" as "15:04": cannot parse "0:00" as ":"',
    ],
    ['10:000-11:00', 'could not parse start time: parsing time "10:000": extra text: "0"'],
    [':00-01:00', 'could not parse start time: parsing time ":00" as "15:04": cannot parse ":00" as "15"'],
    // non-ASCII bytes are quoted as \xNN, like Go's time.quote
    [
      'Mon:1é:00-02:00',
      'could not parse start time: parsing time "1\\xc3\\xa9:00" as "15:04": cannot parse "\\xc3\\xa9:00" as ":"',
    ],
    // no crossing midnight, end before start
    ['Mon:22:00-02:00', "'From' time must be prior to the 'To' time"],
    ['Mon:10:00-00:00', "'From' time must be prior to the 'To' time"],
    ['10:30-10:29', "'From' time must be prior to the 'To' time"],
  ])('rejects %j with the operator’s error', (value, error) => {
    expect(parseMaintenanceWindow(value)).toEqual({ ok: false, error });
  });

  it('parses HH:MM exactly like Go time.Parse("15:04")', () => {
    expect(parseHourMinute('0:00')).toBe(0);
    expect(parseHourMinute('09:05')).toBe(545);
    expect(parseHourMinute('23:59')).toBe(1439);
    expect(parseHourMinute('7:5')).toBe('parsing time "7:5" as "15:04": cannot parse "5" as "04"');
    expect(parseHourMinute('7.05')).toBe('parsing time "7.05" as "15:04": cannot parse ".05" as ":"');
    expect(parseHourMinute('a"b')).toBe('parsing time "a\\"b" as "15:04": cannot parse "a\\"b" as "15"');
  });
});

describe('maintenance rules', () => {
  it('reports what the operator rejects, with the path of the item and its message', () => {
    const findings = of(
      'maintenance/invalid-window',
      check({ maintenanceWindows: ['Mon:01:00-02:00', 'Mon:01:5-02:00'] }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]?.path).toBe('spec.maintenanceWindows[1]');
    expect(findings[0]?.severity).toBe('error');
    expect(findings[0]?.message).toContain('cannot parse "5" as "04"');
    expect(findings[0]?.hint).toBe('write "Mon:01:05-02:00"');
  });

  it('leaves values the CRD pattern rejects to the schema', () => {
    const findings = check({ maintenanceWindows: ['Mon:01:00-Mon:02:00', 'mon:01:00-02:00', '25:00-26:00'] });
    expect(of('maintenance/invalid-window', findings)).toEqual([]);
    expect(of('schema/pattern', findings).map((f) => f.path)).toEqual([
      'spec.maintenanceWindows[0]',
      'spec.maintenanceWindows[1]',
      'spec.maintenanceWindows[2]',
    ]);
  });

  it('reports spaces the CRD pattern allows', () => {
    const findings = of(
      'maintenance/invalid-window',
      check({ maintenanceWindows: [' 01:00-02:00', '01:00-02:00 '] }),
    );
    expect(findings.map((f) => f.path)).toEqual(['spec.maintenanceWindows[0]', 'spec.maintenanceWindows[1]']);
    expect(findings[1]?.hint).toBe('write "01:00-02:00"');
  });

  it.each([
    ['Sun:23:00-01:00', 'split it into "Sun:23:00-23:59" and "Mon:00:00-01:00"'],
    ['Mon:22:00-02:00', 'split it into "Mon:22:00-23:59" and "Tue:00:00-02:00"'],
    ['22:00-02:00', 'split it into "22:00-23:59" and "00:00-02:00"'],
  ])('tells how to split %s across midnight', (window, split) => {
    const [finding] = of('maintenance/invalid-window', check({ maintenanceWindows: [window] }));
    expect(finding?.message).toContain("'From' time must be prior to the 'To' time");
    expect(finding?.hint).toContain(split);
  });

  it.each([
    ['Sat:01:00-01:58', 59, 'Sat:01:00-02:00'],
    ['10:00-10:00', 1, '10:00-11:00'],
    ['23:30-23:59', 30, '22:59-23:59'],
  ])('warns about %s, open %i minutes', (window, minutes, longer) => {
    const [finding] = of('maintenance/short-window', check({ maintenanceWindows: [window] }));
    expect(finding?.severity).toBe('warning');
    expect(finding?.message).toContain(`open for ${minutes} minutes`);
    expect(finding?.message).toContain('30m');
    expect(finding?.hint).toBe(`write "${longer}" or longer`);
  });

  it('accepts a window of one hour counted inclusively, and does not warn about broken windows', () => {
    expect(of('maintenance/short-window', check({ maintenanceWindows: ['Sat:01:00-01:59'] }))).toEqual([]);
    expect(of('maintenance/short-window', check({ maintenanceWindows: ['Sat:01:00-01:5'] }))).toEqual([]);
  });
});

describe('logical backup schedule (robfig/cron as Kubernetes uses it)', () => {
  const MINUTE = { name: 'minute', unit: 'minute', min: 0, max: 59 };

  it.each(['0 0 1 1 0', '59 23 31 12 6', '* * * * *', '*/5 */2 */3 */4 */2', '30 00 * * *', '07 08 09 10 6'])(
    'accepts %s',
    (schedule) => {
      expect(scheduleError(schedule)).toBeUndefined();
    },
  );

  it.each([
    ['60 * * * *', 'minute', 'end of range (60) above maximum (59): 60'],
    ['* 24 * * *', 'hour', 'end of range (24) above maximum (23): 24'],
    ['* * 0 * *', 'day of month', 'beginning of range (0) below minimum (1): 0'],
    ['* * 32 * *', 'day of month', 'end of range (32) above maximum (31): 32'],
    ['* * * 0 *', 'month', 'beginning of range (0) below minimum (1): 0'],
    ['* * * 13 *', 'month', 'end of range (13) above maximum (12): 13'],
    ['* * * * 7', 'day of week', 'end of range (7) above maximum (6): 7'],
    ['*/0 * * * *', 'minute', 'step of range should be a positive number: */0'],
    ['5/0 * * * *', 'minute', 'step of range should be a positive number: 5/0'],
    ['70/5 * * * *', 'minute', 'beginning of range (70) beyond end of range (59): 70/5'],
    ['0 0 0/2 * *', 'day of month', 'beginning of range (0) below minimum (1): 0/2'],
    // only the first bad field, as Kubernetes reports it
    ['60 24 * * *', 'minute', 'end of range (60) above maximum (59): 60'],
    [
      '99999999999999999999 * * * *',
      'minute',
      'failed to parse int from 99999999999999999999: strconv.Atoi: parsing "99999999999999999999": value out of range',
    ],
  ])('rejects %s in the %s field', (schedule, field, error) => {
    const result = scheduleError(schedule);
    expect(result?.field.name).toBe(field);
    expect(result?.error).toBe(error);
  });

  it('reads N/step as N up to the maximum, like robfig', () => {
    expect(cronRange('5/15', MINUTE)).toEqual({ start: 5, end: 59, step: 15 });
    expect(cronRange('*', MINUTE)).toEqual({ start: 0, end: 59, step: 1 });
    expect(cronRange('7', MINUTE)).toEqual({ start: 7, end: 7, step: 1 });
    expect(cronRange('-1', MINUTE)).toBe('negative number (-1) not allowed: -1');
    expect(cronRange('1/2/3', MINUTE)).toBe('too many slashes: 1/2/3');
  });

  it('reports an invalid schedule as an error when logical backups are on', () => {
    const [finding] = of(
      'backup/invalid-schedule',
      check({ enableLogicalBackup: true, logicalBackupSchedule: '0 0 * * 7' }),
    );
    expect(finding?.severity).toBe('error');
    expect(finding?.path).toBe('spec.logicalBackupSchedule');
    expect(finding?.message).toContain('end of range (7) above maximum (6): 7');
    expect(finding?.hint).toContain('write 0');
  });

  it('does not judge the schedule of a disabled backup, but says it has no effect', () => {
    const findings = check({ logicalBackupSchedule: '0 0 * * 7' });
    expect(of('backup/invalid-schedule', findings)).toEqual([]);
    expect(of('backup/without-logical-backup', findings).map((f) => f.path)).toEqual([
      'spec.logicalBackupSchedule',
    ]);
  });

  it('leaves shapes the CRD pattern rejects (ranges, lists, names, macros) to the schema', () => {
    for (const schedule of ['0 1-5 * * *', '0 0 * * MON', '@daily', '0,30 * * * *']) {
      const findings = check({ enableLogicalBackup: true, logicalBackupSchedule: schedule });
      expect(of('backup/invalid-schedule', findings), schedule).toEqual([]);
      expect(of('schema/pattern', findings), schedule).toHaveLength(1);
    }
  });

  it.each([
    ['*/60 * * * *', 'minute "*/60"', 'minute 0 only'],
    ['0 */24 * * *', 'hour "*/24"', 'hour 0 only'],
    ['0 0 */31 * *', 'day of month "*/31"', 'day 1 only'],
    ['0 0 * */12 *', 'month "*/12"', 'month 1 only'],
    ['0 0 * * */7', 'day of week "*/7"', 'weekday 0 only'],
    ['59/5 * * * *', 'minute "59/5"', 'minute 59 only'],
  ])('warns that %s matches one value only', (schedule, field, only) => {
    const [finding] = of(
      'backup/schedule-step-too-large',
      check({ enableLogicalBackup: true, logicalBackupSchedule: schedule }),
    );
    expect(finding?.severity).toBe('warning');
    expect(finding?.message).toContain(field);
    expect(finding?.message).toContain(only);
  });

  it.each(['*/59 * * * *', '0 */23 * * *', '0 0 */30 * *', '0 0 * * */6', '0 0 * * *'])(
    'does not warn about %s, which matches more than one value',
    (schedule) => {
      const findings = check({ enableLogicalBackup: true, logicalBackupSchedule: schedule });
      expect(of('backup/schedule-step-too-large', findings)).toEqual([]);
      expect(of('backup/invalid-schedule', findings)).toEqual([]);
    },
  );
});

describe('logical backup retention', () => {
  it.each(['3 months', '1 week', '2 Weeks', '7 days', '1 year', '12 hours', '30 minute'])(
    'accepts %s',
    (retention) => {
      expect(
        of(
          'backup/invalid-retention',
          check({ enableLogicalBackup: true, logicalBackupRetention: retention }),
        ),
      ).toEqual([]);
    },
  );

  it.each(['90d', '3 monhts', '3 months ago', 'two weeks', '1.5 days', '3'])(
    'warns about %s',
    (retention) => {
      const [finding] = of(
        'backup/invalid-retention',
        check({ enableLogicalBackup: true, logicalBackupRetention: retention }),
      );
      expect(finding?.severity).toBe('warning');
      expect(finding?.message).toContain(`date -d "${retention} ago"`);
    },
  );

  it('warns that retention applies to S3 only', () => {
    const spec = { enableLogicalBackup: true, logicalBackupRetention: '1 week' };
    expect(
      of('backup/retention-not-s3', check(spec, { policy: { logicalBackupProvider: 'az' } })),
    ).toHaveLength(1);
    expect(of('backup/retention-not-s3', check(spec, { policy: { logicalBackupProvider: 's3' } }))).toEqual(
      [],
    );
  });

  it('says retention has no effect without enableLogicalBackup', () => {
    const findings = check({ enableLogicalBackup: false, logicalBackupRetention: '1 week' });
    expect(of('backup/without-logical-backup', findings).map((f) => f.path)).toEqual([
      'spec.logicalBackupRetention',
    ]);
  });
});

describe('patroni numbers', () => {
  it.each(['ttl', 'loop_wait', 'retry_timeout', 'synchronous_node_count'])(
    'rejects a negative %s with Go’s decode error',
    (field) => {
      const [finding] = of('decode/negative-unsigned', check({ patroni: { [field]: -1 } }));
      expect(finding?.path).toBe(`spec.patroni.${field}`);
      expect(finding?.message).toBe(
        `json: cannot unmarshal number -1 into Go struct field Patroni.spec.patroni.${field} of type uint32`,
      );
    },
  );

  it('rejects a negative streams[].batchSize', () => {
    const stream = { applicationId: 'app', database: 'app', tables: { 'data.t': { eventType: 'e' } } };
    const findings = of(
      'decode/negative-unsigned',
      check({ streams: [stream, { ...stream, batchSize: -5 }] }),
    );
    expect(findings.map((f) => f.path)).toEqual(['spec.streams[1].batchSize']);
    expect(findings[0]?.message).toBe(
      'json: cannot unmarshal number -5 into Go struct field Stream.spec.streams.batchSize of type uint32',
    );
  });

  it('accepts zero', () => {
    expect(
      of(
        'decode/negative-unsigned',
        check({ patroni: { ttl: 0, loop_wait: 0, retry_timeout: 0, synchronous_node_count: 0 } }),
      ),
    ).toEqual([]);
  });

  it.each([
    [{ ttl: 30, loop_wait: 10, retry_timeout: 10 }, undefined],
    [{ ttl: 20 }, 'spec.patroni.ttl'],
    [{ loop_wait: 15 }, 'spec.patroni.loop_wait'],
    [{ retry_timeout: 11 }, 'spec.patroni.retry_timeout'],
    [{ ttl: 60, retry_timeout: 25 }, undefined],
    [{ ttl: 60, retry_timeout: 26 }, 'spec.patroni.ttl'],
    // 0 is not passed on by the operator: Patroni's default applies
    [{ ttl: 0, loop_wait: 10, retry_timeout: 10 }, undefined],
    [{ ttl: 0, retry_timeout: 11 }, 'spec.patroni.retry_timeout'],
    // a negative value is a decode error, not a timing problem
    [{ ttl: -1, retry_timeout: 30 }, undefined],
  ])('checks loop_wait + 2 × retry_timeout ≤ ttl for %j', (patroni, path) => {
    expect(of('patroni/timing', check({ patroni })).map((f) => f.path)).toEqual(
      path === undefined ? [] : [path],
    );
  });

  it('names the defaults it assumed', () => {
    const [finding] = of('patroni/timing', check({ patroni: { ttl: 25 } }));
    expect(finding?.message).toBe(
      'loop_wait 10 (Patroni default) + 2 × retry_timeout 10 (Patroni default) = 30 exceeds ttl 25: Patroni requires loop_wait + 2 × retry_timeout ≤ ttl',
    );
  });

  it.each([
    [3, 2, false],
    [3, 3, true],
    [2, 5, true],
    [1, 1, true],
    [0, 1, false],
  ])('with %i instances, synchronous_node_count %i warns: %s', (instances, count, warns) => {
    const spec = {
      numberOfInstances: instances,
      patroni: { synchronous_mode: true, synchronous_node_count: count },
    };
    expect(of('patroni/sync-count-too-high', check(spec))).toHaveLength(warns ? 1 : 0);
  });

  it('ignores synchronous_node_count without synchronous_mode, and strict mode needs synchronous_mode', () => {
    expect(of('patroni/sync-count-too-high', check({ patroni: { synchronous_node_count: 5 } }))).toEqual([]);
    expect(
      of(
        'patroni/strict-without-sync',
        check({ patroni: { synchronous_mode: false, synchronous_mode_strict: true } }),
      ),
    ).toHaveLength(1);
    expect(of('patroni/strict-without-sync', check({ patroni: { synchronous_mode_strict: false } }))).toEqual(
      [],
    );
  });
});

describe('patroni slots and pg_hba', () => {
  function slots(value: Record<string, Record<string, string>>): Finding[] {
    return check({ patroni: { slots: value } }).filter((f) => f.ruleId.startsWith('patroni/invalid-slot'));
  }

  it('accepts physical slots, typed or not, and complete logical slots', () => {
    expect(
      slots({
        standby_dc2: {},
        archiver: { type: 'physical' },
        cdc: { type: 'logical', database: 'app', plugin: 'pgoutput' },
        cdc_untyped: { database: 'app', plugin: 'wal2json' },
      }),
    ).toEqual([]);
  });

  it('points at the type of a slot that is neither physical nor logical', () => {
    const [finding] = slots({ cdc: { type: 'Logical', database: 'app', plugin: 'pgoutput' } });
    expect(finding?.path).toBe('spec.patroni.slots[cdc][type]');
    expect(finding?.severity).toBe('error');
  });

  it.each([
    [{ type: 'logical', database: 'app' }, 'missing plugin'],
    [{ type: 'logical', plugin: 'pgoutput' }, 'missing database'],
    [{ type: 'logical', database: '', plugin: 'pgoutput' }, 'missing database'],
    [{ database: 'app' }, 'Patroni creates a physical slot'],
    [{ plugin: 'pgoutput' }, 'Patroni creates a physical slot'],
  ])('rejects the incomplete logical slot %j', (slot, text) => {
    const [finding] = slots({ cdc: slot });
    expect(finding?.ruleId).toBe('patroni/invalid-slot');
    expect(finding?.path).toBe('spec.patroni.slots[cdc]');
    expect(finding?.message).toContain(text);
  });

  it('rejects slot names Patroni refuses', () => {
    const findings = slots({ Cdc: {}, 'cdc.slot': {}, ['x'.repeat(64)]: {}, ['y'.repeat(63)]: {} });
    expect(findings.map((f) => f.path)).toEqual([
      'spec.patroni.slots[Cdc]',
      'spec.patroni.slots[cdc.slot]',
      `spec.patroni.slots[${'x'.repeat(64)}]`,
    ]);
    expect(findings[0]?.hint).toBe('name it cdc');
  });

  const withPam = ['local all all trust', 'hostssl all +zalandos all pam', 'hostssl all all all md5'];

  it('wants a pam line for the team role when team members get roles', () => {
    const lines = ['local all all trust', 'hostssl all all 10.0.0.0/8 md5'];
    expect(of('patroni/pg-hba-without-pam', check({ patroni: { pg_hba: lines } }))).toHaveLength(1);
    expect(of('patroni/pg-hba-without-pam', check({ patroni: { pg_hba: withPam } }))).toEqual([]);
    const teamsOff = { enableTeamsApi: false, enablePostgresTeamCrd: false };
    expect(
      of('patroni/pg-hba-without-pam', check({ patroni: { pg_hba: lines } }, { policy: teamsOff })),
    ).toEqual([]);
    const crdOnly = { enableTeamsApi: false, enablePostgresTeamCrd: true };
    expect(
      of('patroni/pg-hba-without-pam', check({ patroni: { pg_hba: lines } }, { policy: crdOnly })),
    ).toHaveLength(1);
  });

  it('uses the configured pam_role_name, netmask columns and "all" users', () => {
    const custom = { pamRoleName: 'staff' };
    expect(
      of('patroni/pg-hba-without-pam', check({ patroni: { pg_hba: withPam } }, { policy: custom })),
    ).toHaveLength(1);
    const netmask = ['host all +staff 10.0.0.0 255.0.0.0 pam'];
    expect(
      of('patroni/pg-hba-without-pam', check({ patroni: { pg_hba: netmask } }, { policy: custom })),
    ).toEqual([]);
    expect(
      of('patroni/pg-hba-without-pam', check({ patroni: { pg_hba: ['hostssl all all all pam'] } })),
    ).toEqual([]);
    expect(
      of('patroni/pg-hba-without-pam', check({ patroni: { pg_hba: ['# hostssl all +zalandos all pam'] } })),
    ).toHaveLength(1);
  });

  it('notices a catch-all line before the pam line', () => {
    const lines = ['hostssl all all 0.0.0.0/0 md5', 'hostssl all +zalandos all pam'];
    const [finding] = of('patroni/pg-hba-without-pam', check({ patroni: { pg_hba: lines } }));
    expect(finding?.message).toContain('"hostssl all all 0.0.0.0/0 md5" comes before the pam line');
    const narrow = ['hostssl all all 10.0.0.0/8 md5', 'hostssl all +zalandos all pam'];
    expect(of('patroni/pg-hba-without-pam', check({ patroni: { pg_hba: narrow } }))).toEqual([]);
  });
});

describe('password_encryption', () => {
  it.each([
    ['md5', undefined],
    ['scram-sha-256', undefined],
    // PostgreSQL reads enum values case-insensitively and the operator uses SCRAM for anything but "md5"
    ['SCRAM-SHA-256', undefined],
    ['MD5', 'case-sensitively'],
    ['on', 'not a value PostgreSQL accepts'],
    ['scram', 'not a value PostgreSQL accepts'],
    ['', 'not a value PostgreSQL accepts'],
  ])('%j', (value, text) => {
    const findings = of(
      'parameters/password-encryption',
      check({ postgresql: { parameters: { password_encryption: value } } }),
    );
    if (text === undefined) {
      expect(findings).toEqual([]);
    } else {
      expect(findings[0]?.path).toBe('spec.postgresql.parameters[password_encryption]');
      expect(findings[0]?.message).toContain(text);
    }
  });
});

describe('clone', () => {
  it('uses the operator’s messages, in its order, only without timestamp', () => {
    const long = `a${'b'.repeat(63)}`;
    expect(of('clone/invalid-cluster-name', check({ clone: { cluster: long } }))[0]?.message).toBe(
      'clone cluster name must be no longer than 63 characters',
    );
    expect(of('clone/invalid-cluster-name', check({ clone: { cluster: `${long}_` } }))[0]?.message).toBe(
      'clone cluster name must confirm to DNS-1035, regex used for validation is "^[a-z]([-a-z0-9]*[a-z0-9])?$"',
    );
    for (const cluster of ['Acid-source', '1acid', 'acid-', 'acid.source']) {
      expect(of('clone/invalid-cluster-name', check({ clone: { cluster } })), cluster).toHaveLength(1);
    }
    expect(of('clone/invalid-cluster-name', check({ clone: { cluster: 'b'.repeat(63) } }))).toEqual([]);
    const pitr = {
      cluster: 'acid_source',
      uid: '2d8e5a4c-6f1b-4c3e-9a7d-1b2c3d4e5f60',
      timestamp: '2025-05-31T23:59:59+00:00',
    };
    expect(of('clone/invalid-cluster-name', check({ clone: pitr }))).toEqual([]);
    expect(of('clone/invalid-cluster-name', check({ clone: { ...pitr, timestamp: '' } }))).toHaveLength(1);
  });

  it('rejects a basebackup clone of the cluster itself, not a restore in place', () => {
    expect(of('clone/from-itself', check({ clone: { cluster: 'acid-demo' } }))).toHaveLength(1);
    const restore = {
      cluster: 'acid-demo',
      uid: '2d8e5a4c-6f1b-4c3e-9a7d-1b2c3d4e5f60',
      timestamp: '2025-05-31T23:59:59+00:00',
    };
    expect(of('clone/from-itself', check({ clone: restore }))).toEqual([]);
  });

  it('warns about a point-in-time clone without uid unless a WAL path is given', () => {
    const clone = { cluster: 'acid-source', timestamp: '2025-05-31T23:59:59+00:00' };
    expect(of('clone/wal-path-without-uid', check({ clone }))[0]?.path).toBe('spec.clone');
    expect(
      of(
        'clone/wal-path-without-uid',
        check({ clone: { ...clone, s3_wal_path: 's3://b/spilo/acid-source/wal' } }),
      ),
    ).toEqual([]);
    expect(of('clone/wal-path-without-uid', check({ clone: { cluster: 'acid-source' } }))).toEqual([]);
  });
});

describe('standby', () => {
  const standby = { standby_host: 'acid-source.prod.svc' };

  it.each([
    ['5432', false],
    ['1', false],
    ['65535', false],
    ['', false],
    ['0', true],
    ['65536', true],
    [' 5432', true],
    ['5432/tcp', true],
    ['postgres', true],
  ])('standby_port %j is rejected: %s', (port, rejected) => {
    const findings = of(
      'standby/invalid-port',
      check({ numberOfInstances: 1, standby: { ...standby, standby_port: port } }),
    );
    expect(findings).toHaveLength(rejected ? 1 : 0);
  });

  it('warns about roles on a standby, including an empty preparedDatabases', () => {
    const findings = of(
      'standby/roles-before-promotion',
      check({
        numberOfInstances: 1,
        standby,
        users: {},
        databases: { app: 'app_owner' },
        preparedDatabases: {},
      }),
    );
    expect(findings.map((f) => f.path)).toEqual(['spec.databases', 'spec.preparedDatabases']);
  });

  it('treats STANDBY_WALE_*_PREFIX in env as a standby, like the operator', () => {
    const env = [{ name: 'STANDBY_WALE_S3_PREFIX', value: 's3://backups/spilo/acid-source/wal/17' }];
    expect(of('standby/with-clone', check({ env, clone: { cluster: 'acid-source' } }))).toHaveLength(1);
    const empty = [{ name: 'STANDBY_WALE_S3_PREFIX', value: '' }];
    expect(of('standby/with-clone', check({ env: empty, clone: { cluster: 'acid-source' } }))).toEqual([]);
  });
});

describe('spilo image and version', () => {
  it.each([
    ['ghcr.io/zalando/spilo-16:3.2-p3', 'spilo-16', 16],
    ['registry.example.com:5000/acid/spilo-15:3.0-p1', 'spilo-15', 15],
    ['localhost:5000/spilo-17', 'spilo-17', 17],
    ['ghcr.io/zalando/spilo-16@sha256:0123abcd', 'spilo-16', 16],
    ['ghcr.io/zalando/spilo-16:3.2-p3@sha256:0123abcd', 'spilo-16', 16],
    ['spilo-14', 'spilo-14', 14],
    ['registry.internal/cdp/acid-spilo-17:1.0', 'acid-spilo-17', 17],
    ['ghcr.io/zalando/spilo:latest', 'spilo', undefined],
    ['my.registry/spilo-16-custom:1', 'spilo-16-custom', undefined],
    ['registry:5000/postgres:16', 'postgres', undefined],
  ])('%s is %s (major %s)', (image, name, major) => {
    expect(imageName(image)).toBe(name);
    expect(spiloMajor(image)).toBe(major);
  });

  it('compares the version with the manifest image, else the operator’s', () => {
    const old = { dockerImage: 'ghcr.io/zalando/spilo-16:3.3-p3' };
    expect(of('version/image-too-old', check({ postgresql: { version: '16' } }, { policy: old }))).toEqual(
      [],
    );
    const [fromPolicy] = of(
      'version/image-too-old',
      check({ postgresql: { version: '17' } }, { policy: old }),
    );
    expect(fromPolicy?.path).toBe('spec.postgresql.version');
    expect(fromPolicy?.message).toContain("the operator's docker_image");
    const own = { dockerImage: 'ghcr.io/zalando/spilo-18:4.1-p2', postgresql: { version: '18' } };
    expect(of('version/image-too-old', check(own, { policy: old }))).toEqual([]);
    const [fromManifest] = of(
      'version/image-too-old',
      check({ dockerImage: 'registry:5000/spilo-15:3.0@sha256:ab', postgresql: { version: '16' } }),
    );
    expect(fromManifest?.path).toBe('spec.dockerImage');
    expect(fromManifest?.hint).toContain('remove dockerImage');
    expect(
      of(
        'version/image-too-old',
        check({ dockerImage: 'example.com/custom-postgres:17', postgresql: { version: '18' } }),
      ),
    ).toEqual([]);
  });

  it('takes the forced target version of full upgrade mode into account', () => {
    const policy: Partial<OperatorPolicy> = {
      majorVersionUpgradeMode: 'full',
      minimalMajorVersion: '15',
      targetMajorVersion: '18',
      dockerImage: 'ghcr.io/zalando/spilo-17:4.0-p3',
    };
    const findings = check({ postgresql: { version: '14' } }, { policy });
    expect(of('version/image-too-old', findings)[0]?.message).toContain(
      'raises 14 to target_major_version 18',
    );
    expect(of('version/forced-upgrade', findings)[0]?.message).toContain(
      'overwriting configured major version 14 to 18',
    );
    expect(check({ postgresql: { version: '15' } }, { policy }).map((f) => f.ruleId)).not.toContain(
      'version/forced-upgrade',
    );
    const manual = { ...policy, majorVersionUpgradeMode: 'manual' as const };
    expect(
      of('version/forced-upgrade', check({ postgresql: { version: '14' } }, { policy: manual })),
    ).toEqual([]);
  });

  it('rejects a version raise of a standby on UPDATE only', () => {
    const standby = { numberOfInstances: 1, standby: { s3_wal_path: 's3://b/spilo/acid-source/wal/16' } };
    const old = { ...standby, postgresql: { version: '16' } };
    const raised = { ...standby, postgresql: { version: '17' } };
    expect(of('version/standby-upgrade', check(raised, { old }))).toHaveLength(1);
    expect(of('version/standby-upgrade', check(raised))).toEqual([]);
    expect(of('version/standby-upgrade', check({ postgresql: { version: '17' } }, { old }))).toEqual([]);
    // a lower version is the downgrade rule's business
    expect(
      of('version/standby-upgrade', check({ ...standby, postgresql: { version: '15' } }, { old })),
    ).toEqual([]);
  });
});
