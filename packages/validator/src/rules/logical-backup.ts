import { child } from '../field-path.js';
import { schemaPatternAccepts } from '../schema/schema-accepts.js';
import type { Rule } from './rule.js';
import type { RuleContext } from './rule-context.js';

/**
 * Logical backups: the operator creates a CronJob `<logical_backup_job_prefix><cluster>` with
 * `logicalBackupSchedule` as its schedule, which Kubernetes parses with robfig/cron v3
 * (`cron.ParseStandard`, batch validation `validateScheduleFormat`).
 */

interface CronField {
  name: string;
  /** What one value of the field is called in messages. */
  unit: string;
  min: number;
  max: number;
}

/** robfig/cron's bounds, in the order of a standard five-field schedule. */
const CRON_FIELDS: readonly CronField[] = [
  { name: 'minute', unit: 'minute', min: 0, max: 59 },
  { name: 'hour', unit: 'hour', min: 0, max: 23 },
  { name: 'day of month', unit: 'day', min: 1, max: 31 },
  { name: 'month', unit: 'month', min: 1, max: 12 },
  { name: 'day of week', unit: 'weekday', min: 0, max: 6 },
];

const GO_INT_MAX = 2n ** 63n - 1n;

/** One field as robfig's `getRange` reads it: start, end and step, or its error text. */
interface CronRange {
  start: number;
  end: number;
  step: number;
}

/**
 * robfig/cron `getRange` for the forms the CRD pattern admits (`N`, `*`, `N/S`, `*\/S`), with its exact
 * error texts. Numbers go through Go's strconv.Atoi (64-bit).
 */
export function cronRange(expr: string, field: CronField): CronRange | string {
  const parts = expr.split('/');
  if (parts.length > 2) return `too many slashes: ${expr}`;
  const [range = '', stepText] = parts;
  let start: number;
  let end: number;
  if (range === '*') {
    start = field.min;
    end = field.max;
  } else {
    const parsed = atoi(range);
    if (typeof parsed === 'string') return parsed;
    start = parsed;
    end = parsed;
  }
  let step = 1;
  if (stepText !== undefined) {
    const parsed = atoi(stepText);
    if (typeof parsed === 'string') return parsed;
    step = parsed;
    // robfig: "N/step" means "N-max/step".
    end = field.max;
  }
  if (start < field.min) return `beginning of range (${start}) below minimum (${field.min}): ${expr}`;
  if (end > field.max) return `end of range (${end}) above maximum (${field.max}): ${expr}`;
  if (start > end) return `beginning of range (${start}) beyond end of range (${end}): ${expr}`;
  if (step === 0) return `step of range should be a positive number: ${expr}`;
  return { start, end, step };
}

/** robfig `mustParseInt`: Go's strconv.Atoi (64-bit), then no negative numbers. */
function atoi(text: string): number | string {
  const atoiError = (reason: string) =>
    `failed to parse int from ${text}: strconv.Atoi: parsing ${JSON.stringify(text)}: ${reason}`;
  if (!/^[+-]?\d+$/.test(text)) return atoiError('invalid syntax');
  const value = BigInt(text);
  if (value > GO_INT_MAX || value < -GO_INT_MAX - 1n) return atoiError('value out of range');
  if (value < 0n) return `negative number (${value}) not allowed: ${text}`;
  // Beyond 2^53 precision is lost, but such a number is out of every field's range either way.
  return Number(value);
}

/** The five fields of a schedule, or undefined when it does not have five. */
function cronFields(schedule: string): string[] | undefined {
  const fields = schedule.trim().split(/[\t\n\f\r ]+/);
  return fields.length === CRON_FIELDS.length ? fields : undefined;
}

/** What Kubernetes says about a schedule (its first bad field, as robfig reports it), or undefined. */
export function scheduleError(
  schedule: string,
): { field: CronField; expr: string; error: string } | undefined {
  const fields = cronFields(schedule);
  if (fields === undefined) return undefined;
  for (const [i, field] of CRON_FIELDS.entries()) {
    const expr = fields[i] ?? '';
    const result = cronRange(expr, field);
    if (typeof result === 'string') return { field, expr, error: result };
  }
  return undefined;
}

function scheduleHint(field: CronField, expr: string): string {
  if (field.name === 'day of week' && /^0*7$/.test(expr)) return 'Sunday is 0 in a CronJob schedule: write 0';
  return `write the ${field.name} as a number from ${field.min} to ${field.max} or *, with an optional /step of 1 or more (minute 0-59, hour 0-23, day of month 1-31, month 1-12, day of week 0-6)`;
}

/** The schedule when the schema did not reject it already (its pattern is checked first). */
function checkedSchedule(context: RuleContext): string | undefined {
  const schedule = context.object.spec?.logicalBackupSchedule;
  if (typeof schedule !== 'string' || schedule === '') return undefined;
  const accepted = schemaPatternAccepts(
    context.schema,
    ['spec', 'logicalBackupSchedule'],
    context.object,
    schedule,
  );
  return accepted ? schedule : undefined;
}

const SCHEDULE_PATH = child('spec', 'logicalBackupSchedule');
const RETENTION_PATH = child('spec', 'logicalBackupRetention');

export const invalidSchedule: Rule = {
  id: 'backup/invalid-schedule',
  severity: 'error',
  summary:
    'A logicalBackupSchedule with a field out of range (minute 0-59, hour 0-23, day of month 1-31, month 1-12, day of week 0-6) or a step of 0.',
  why: 'The CRD pattern only checks the shape, so `99 * * * *` and a day of week `7` get in; Kubernetes then rejects the CronJob and the operator fails with `could not create a k8s cron job for logical backups` (Create) or `could not sync the logical backup job` (status SyncFailed). No backup ever runs.',
  bad: 'spec:\n  enableLogicalBackup: true\n  logicalBackupSchedule: "30 00 * * 7"\n',
  good: 'spec:\n  enableLogicalBackup: true\n  logicalBackupSchedule: "30 00 * * 0"\n',
  *check(context) {
    if (context.object.spec?.enableLogicalBackup !== true) return;
    const schedule = checkedSchedule(context);
    if (schedule === undefined) return;
    const problem = scheduleError(schedule);
    if (problem === undefined) return;
    yield {
      path: SCHEDULE_PATH,
      message: `Kubernetes rejects the logical backup CronJob: schedule ${JSON.stringify(schedule)}, ${problem.field.name} field: ${problem.error}`,
      hint: scheduleHint(problem.field, problem.expr),
    };
  },
};

export const scheduleStepTooLarge: Rule = {
  id: 'backup/schedule-step-too-large',
  severity: 'warning',
  summary:
    'A step in logicalBackupSchedule as large as its field, e.g. `*/90` minutes: it matches one value only, it does not mean "every 90 minutes".',
  why: 'Kubernetes accepts it, but a step never carries over into the next hour, day or month: `0 */30 * * *` runs at 00:00 only, once a day, not every 30 hours.',
  bad: 'spec:\n  enableLogicalBackup: true\n  logicalBackupSchedule: "0 */30 * * *"\n',
  good: 'spec:\n  enableLogicalBackup: true\n  logicalBackupSchedule: "0 */6 * * *"\n',
  *check(context) {
    if (context.object.spec?.enableLogicalBackup !== true) return;
    const schedule = checkedSchedule(context);
    if (schedule === undefined || scheduleError(schedule) !== undefined) return;
    const fields = cronFields(schedule) ?? [];
    for (const [i, field] of CRON_FIELDS.entries()) {
      const expr = fields[i] ?? '';
      const range = cronRange(expr, field);
      if (typeof range === 'string' || range.step === 1 || range.start + range.step <= range.end) continue;
      yield {
        path: SCHEDULE_PATH,
        message: `${field.name} ${JSON.stringify(expr)} in schedule ${JSON.stringify(schedule)} matches ${field.unit} ${range.start} only: a step of ${range.step} does not carry over past ${field.max}`,
        hint: `write ${range.start} if that is meant; for a longer interval, step a larger field (e.g. "0 */6 * * *" runs every six hours)`,
      };
    }
  },
};

/** `date -d "<value> ago"` in the backup script: a count and a unit, e.g. `3 months`. */
const RETENTION = /^\s*\d+\s+(minute|hour|day|week|month|year)s?\s*$/i;

export const invalidRetention: Rule = {
  id: 'backup/invalid-retention',
  severity: 'warning',
  summary:
    'A logicalBackupRetention that is not `<number> <unit>` (minute, hour, day, week, month or year; plural allowed).',
  why: 'The backup script computes its cut-off with `date -d "<value> ago"`; a value `date` cannot read leaves the cut-off empty and old backups are never deleted, without any error in the manifest.',
  bad: 'spec:\n  enableLogicalBackup: true\n  logicalBackupRetention: "90d"\n',
  good: 'spec:\n  enableLogicalBackup: true\n  logicalBackupRetention: "3 months"\n',
  *check(context) {
    const retention = context.object.spec?.logicalBackupRetention;
    if (typeof retention !== 'string' || retention === '' || RETENTION.test(retention)) return;
    yield {
      path: RETENTION_PATH,
      message: `logicalBackupRetention ${JSON.stringify(retention)} is not "<number> <unit>": the backup script runs date -d "${retention} ago"`,
      hint: 'write a count and a unit, e.g. "7 days", "2 weeks", "3 months" or "1 year"',
    };
  },
};

export const retentionNotS3: Rule = {
  id: 'backup/retention-not-s3',
  severity: 'warning',
  summary: 'logicalBackupRetention while the operator’s logical_backup_provider is not s3.',
  why: 'The operator passes the retention (LOGICAL_BACKUP_S3_RETENTION_TIME) only to S3 backup jobs; with gcs or az nothing deletes old backups.',
  examplePolicy: { logicalBackupProvider: 'gcs' },
  bad: 'spec:\n  enableLogicalBackup: true\n  logicalBackupRetention: "2 weeks"\n',
  good: 'spec:\n  enableLogicalBackup: true\n',
  *check(context) {
    const retention = context.object.spec?.logicalBackupRetention;
    const provider = context.policy.logicalBackupProvider;
    if (typeof retention !== 'string' || retention === '' || provider === 's3') return;
    yield {
      path: RETENTION_PATH,
      message: `logicalBackupRetention has no effect: the operator's logical_backup_provider is ${JSON.stringify(provider)} and retention applies to s3 only`,
      hint: `remove logicalBackupRetention and expire old backups with a lifecycle rule of the ${provider} bucket`,
    };
  },
};

export const withoutLogicalBackup: Rule = {
  id: 'backup/without-logical-backup',
  severity: 'warning',
  summary: 'logicalBackupSchedule or logicalBackupRetention without `enableLogicalBackup: true`.',
  why: 'Without enableLogicalBackup the operator creates no backup CronJob: the schedule and the retention have no effect, and no logical backup is taken.',
  bad: 'spec:\n  logicalBackupSchedule: "0 2 * * *"\n',
  good: 'spec:\n  enableLogicalBackup: true\n  logicalBackupSchedule: "0 2 * * *"\n',
  *check(context) {
    const spec = context.object.spec;
    if (spec === undefined || spec.enableLogicalBackup === true) return;
    const fields = [
      ['logicalBackupSchedule', spec.logicalBackupSchedule, SCHEDULE_PATH],
      ['logicalBackupRetention', spec.logicalBackupRetention, RETENTION_PATH],
    ] as const;
    for (const [name, value, path] of fields) {
      if (typeof value !== 'string' || value === '') continue;
      yield {
        path,
        message: `${name} has no effect: logical backups are not enabled for this cluster`,
        hint: `add enableLogicalBackup: true, or remove ${name}`,
      };
    }
  },
};

export const LOGICAL_BACKUP_RULES: readonly Rule[] = [
  invalidSchedule,
  scheduleStepTooLarge,
  invalidRetention,
  retentionNotS3,
  withoutLogicalBackup,
];
