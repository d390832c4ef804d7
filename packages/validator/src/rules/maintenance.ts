import { child, index } from '../field-path.js';
import { schemaPatternAccepts } from '../schema/schema-accepts.js';
import type { Rule } from './rule.js';
import type { RuleContext } from './rule-context.js';

/**
 * `spec.maintenanceWindows`, read exactly as the operator reads it: a port of the Go parser
 * `MaintenanceWindow.UnmarshalJSON` (pkg/apis/acid.zalan.do/v1/marshal.go) with `parseWeekday` and
 * `parseTime` (util.go), which uses Go's `time.Parse` with the layout "15:04".
 */

/** `util.go:weekdays`: three-letter names, case-sensitive, numbered like Go's time.Weekday. */
const WEEKDAYS = new Map([
  ['Sun', 0],
  ['Mon', 1],
  ['Tue', 2],
  ['Wed', 3],
  ['Thu', 4],
  ['Fri', 5],
  ['Sat', 6],
]);
const WEEKDAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
/** 23:59, the latest end of a window: windows cannot cross midnight. */
const LAST_MINUTE = 23 * 60 + 59;

/** A window the operator accepted; times are minutes after midnight (UTC on a normal operator pod). */
export interface MaintenanceWindow {
  /** Go's time.Weekday (0 = Sunday); undefined for a window that applies every day. */
  weekday?: number;
  start: number;
  end: number;
}

export type ParsedMaintenanceWindow = { ok: true; window: MaintenanceWindow } | { ok: false; error: string };

/**
 * Parses one window the way operator v2.0.1 does, returning its exact error text on failure. The Go
 * parser reads the raw JSON string; for every value the CRD pattern admits that is the same text as
 * the decoded string parsed here.
 */
export function parseMaintenanceWindow(value: string): ParsedMaintenanceWindow {
  const parts = value.split('-');
  if (parts.length !== 2) return failure('incorrect maintenance window format');
  const [from = '', to = ''] = parts;

  const fromParts = from.split(':');
  let weekday: number | undefined;
  let start: number | string;
  if (fromParts.length === 3) {
    weekday = WEEKDAYS.get(fromParts[0] ?? '');
    if (weekday === undefined) return failure('could not parse weekday: incorrect weekday');
    start = parseTime(`${fromParts[1]}:${fromParts[2]}`);
  } else if (fromParts.length === 2) {
    start = parseTime(from);
  } else {
    return failure('incorrect maintenance window format');
  }
  if (typeof start === 'string') return failure(`could not parse start time: ${start}`);

  const end = parseTime(to);
  if (typeof end === 'string') return failure(`could not parse end time: ${end}`);
  if (end < start) return failure("'From' time must be prior to the 'To' time");

  return { ok: true, window: weekday === undefined ? { start, end } : { weekday, start, end } };
}

function failure(error: string): ParsedMaintenanceWindow {
  return { ok: false, error };
}

/** `util.go:parseTime`: exactly one `:`, then `time.Parse("15:04", s)`. Minutes, or Go's error text. */
function parseTime(value: string): number | string {
  if (value.split(':').length !== 2) return 'incorrect time format';
  return parseHourMinute(value);
}

const LAYOUT = '15:04';

/**
 * Go's `time.Parse` for the layout "15:04": hour one or two digits (`stdHour`), a literal `:`, minute
 * exactly two digits (`stdZeroMinute`), nothing after. Error texts as `time.ParseError.Error()` prints them.
 */
export function parseHourMinute(value: string): number | string {
  const cannotParse = (rest: string, element: string) =>
    `parsing time ${goQuote(value)} as ${goQuote(LAYOUT)}: cannot parse ${goQuote(rest)} as ${goQuote(element)}`;
  const outOfRange = (what: string) => `parsing time ${goQuote(value)}: ${what} out of range`;

  const hour = getNumber(value, false);
  if (hour === undefined) return cannotParse(value, '15');
  if (hour.value >= 24) return outOfRange('hour');

  if (!hour.rest.startsWith(':')) return cannotParse(hour.rest, ':');
  const afterColon = hour.rest.slice(1);

  const minute = getNumber(afterColon, true);
  if (minute === undefined) return cannotParse(afterColon, '04');
  if (minute.value >= 60) return outOfRange('minute');

  if (minute.rest !== '') return `parsing time ${goQuote(value)}: extra text: ${goQuote(minute.rest)}`;
  return hour.value * 60 + minute.value;
}

/** Go's `time.getnum`: one or two ASCII digits; `fixed` demands two. */
function getNumber(text: string, fixed: boolean): { value: number; rest: string } | undefined {
  if (!isDigit(text, 0)) return undefined;
  if (!isDigit(text, 1)) {
    if (fixed) return undefined;
    return { value: Number(text[0]), rest: text.slice(1) };
  }
  return { value: Number(text.slice(0, 2)), rest: text.slice(2) };
}

function isDigit(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  return code >= 48 && code <= 57;
}

/** Go's `time.quote`: double quotes, `\"` and `\\` escaped, bytes of non-printable or non-ASCII runes as `\xNN`. */
function goQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0x80 || code < 0x20) {
      for (const byte of new TextEncoder().encode(char)) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    } else {
      out += char === '"' || char === '\\' ? `\\${char}` : char;
    }
  }
  return `${out}"`;
}

function formatClock(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  return `${String(hours).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function formatWindow(weekday: number | undefined, start: number, end: number): string {
  const day = weekday === undefined ? '' : `${WEEKDAY_NAMES[weekday]}:`;
  return `${day}${formatClock(start)}-${formatClock(end)}`;
}

/** A loosely written window (spaces, one-digit minutes, any-case weekday), read for a suggestion only. */
const LOOSE_WINDOW = /^\s*(?:([A-Za-z]{3}):)?\s*(\d{1,2}):(\d{1,2})\s*-\s*(\d{1,2}):(\d{1,2})\s*$/;

/** What to write instead of a window the operator rejects, when its intent is clear. */
function suggestion(value: string): string | undefined {
  const match = LOOSE_WINDOW.exec(value);
  if (match === null) return undefined;
  const [, day, startHour, startMinute, endHour, endMinute] = match;
  const weekday =
    day === undefined ? undefined : WEEKDAYS.get(`${day[0]?.toUpperCase()}${day.slice(1).toLowerCase()}`);
  if (day !== undefined && weekday === undefined) return undefined;
  const start = Number(startHour) * 60 + Number(startMinute);
  const end = Number(endHour) * 60 + Number(endMinute);
  if (Number(startHour) > 23 || Number(endHour) > 23 || Number(startMinute) > 59 || Number(endMinute) > 59) {
    return undefined;
  }
  if (end >= start) return `write "${formatWindow(weekday, start, end)}"`;
  // Windows cannot cross midnight: split into the evening part and the morning part of the next day.
  const nextDay = weekday === undefined ? undefined : (weekday + 1) % 7;
  return `a window cannot cross midnight: split it into "${formatWindow(weekday, start, LAST_MINUTE)}" and "${formatWindow(nextDay, 0, end)}"`;
}

const FORMAT_HINT =
  'write "HH:MM-HH:MM" (every day) or "Ddd:HH:MM-HH:MM" with Ddd one of Mon Tue Wed Thu Fri Sat Sun, two-digit minutes, no spaces, times in UTC';

/** The windows of the manifest with their paths, skipping values the CRD pattern already rejects. */
function* windowsOf(context: RuleContext): Generator<{ value: string; path: string }> {
  const windows = context.object.spec?.maintenanceWindows;
  if (!Array.isArray(windows)) return;
  const base = child('spec', 'maintenanceWindows');
  for (const [i, value] of windows.entries()) {
    const accepted =
      typeof value === 'string' &&
      schemaPatternAccepts(context.schema, ['spec', 'maintenanceWindows', String(i)], context.object, value);
    if (!accepted) continue;
    yield { value, path: index(base, i) };
  }
}

export const invalidWindow: Rule = {
  id: 'maintenance/invalid-window',
  severity: 'error',
  summary:
    'A maintenance window the CRD pattern admits but the operator’s parser rejects: one-digit minutes, spaces, end before start (a window across midnight).',
  why: 'The operator cannot decode the manifest: it skips the cluster, sets status CreateFailed/UpdateFailed/SyncFailed and emits a Warning event with the parser’s message. Windows are in UTC and cannot cross midnight; split such a window in two.',
  bad: 'spec:\n  maintenanceWindows:\n    - "Sat:22:00-02:00"\n',
  good: 'spec:\n  maintenanceWindows:\n    - "Sat:22:00-23:59"\n    - "Sun:00:00-02:00"\n',
  *check(context) {
    for (const { value, path } of windowsOf(context)) {
      const parsed = parseMaintenanceWindow(value);
      if (parsed.ok) continue;
      yield {
        path,
        message: `the operator cannot parse maintenance window ${JSON.stringify(value)}: ${parsed.error}`,
        hint: suggestion(value) ?? FORMAT_HINT,
      };
    }
  },
};

/** The operator's default resync_period; windows should span two of them (docs). */
const DEFAULT_RESYNC_MINUTES = 30;
const MIN_WINDOW_MINUTES = 2 * DEFAULT_RESYNC_MINUTES;

/** Minutes a window is open: the operator compares HH:MM inclusively at both ends. */
function openMinutes(window: MaintenanceWindow): number {
  return window.end - window.start + 1;
}

/** The same window stretched to the recommended length, without crossing midnight. */
function longEnough({ weekday, start }: MaintenanceWindow): string {
  const from = Math.min(start, LAST_MINUTE - MIN_WINDOW_MINUTES);
  return formatWindow(weekday, from, from + MIN_WINDOW_MINUTES);
}

export const shortWindow: Rule = {
  id: 'maintenance/short-window',
  severity: 'warning',
  summary: 'A maintenance window shorter than two resync periods (1h with the default resync_period of 30m).',
  why: 'Version changes, switchovers and major upgrades wait for a sync that falls inside a window; syncs run every resync_period, so the operator’s docs ask for windows of at least twice that. A shorter window can be missed for weeks.',
  bad: 'spec:\n  maintenanceWindows:\n    - "Sat:01:00-01:30"\n',
  good: 'spec:\n  maintenanceWindows:\n    - "Sat:01:00-02:00"\n',
  *check(context) {
    for (const { value, path } of windowsOf(context)) {
      const parsed = parseMaintenanceWindow(value);
      if (!parsed.ok || openMinutes(parsed.window) >= MIN_WINDOW_MINUTES) continue;
      yield {
        path,
        message: `maintenance window ${JSON.stringify(value)} is open for ${openMinutes(parsed.window)} minutes (UTC); the operator's docs recommend at least twice resync_period — 1h with the default 30m (acid-guard assumes the default)`,
        hint: `write "${longEnough(parsed.window)}" or longer`,
      };
    }
  },
};

export const MAINTENANCE_RULES: readonly Rule[] = [invalidWindow, shortWindow];
