/**
 * Plain words for the CRD's patterns, keyed by the RE2 pattern exactly as the CRD spells it. A CRD of
 * another operator version with other patterns falls back to quoting the pattern.
 */
const CPU = '^(\\d+m|\\d+(\\.\\d{1,3})?)$';
const MEMORY = '^(\\d+(e\\d+)?|\\d+(\\.\\d+)?(e\\d+)?[EPTGMK]i?)$';
const CRON = '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$';
const TIMESTAMP =
  '^([0-9]+)-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\\.[0-9]+)?(([+-]([01][0-9]|2[0-3]):[0-5][0-9]))$';
const QUANTITY =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

interface Description {
  what: string;
  hint?: string;
}

const DESCRIPTIONS: Record<string, Description> = {
  [CPU]: {
    what: 'a CPU quantity the CRD accepts',
    hint: 'write millicores like 500m, or cores with at most three decimals like 1 or 1.5',
  },
  [MEMORY]: {
    what: 'a memory quantity the CRD accepts',
    hint: 'write a number with a unit like 512Mi, 1Gi or 1.5G (binary units Ki, Mi, Gi, Ti)',
  },
  [CRON]: {
    what: 'a schedule the CRD accepts',
    hint: 'five fields, each a number or *, optionally with /step, e.g. "30 00 * * *" (no ranges, lists, names or @daily)',
  },
  [TIMESTAMP]: {
    what: 'an RFC 3339 timestamp with a numeric offset',
    hint: 'write e.g. 2024-05-31T23:59:59+00:00 — Z is not accepted because PostgreSQL recovery_target_time rejects it',
  },
  [QUANTITY]: {
    what: 'a Kubernetes quantity',
    hint: 'write e.g. 1, 500m, 128Mi or 2Gi',
  },
};

export function describePattern(pattern: string, value?: unknown): Description {
  const known = DESCRIPTIONS[pattern];
  if (known !== undefined) return known;
  if (pattern.includes('(Mon|Tue|Wed|Thu|Fri|Sat|Sun)')) {
    const weekdayAtEnd =
      typeof value === 'string' ? /^\s*(\w{3}):([\d:]+)-\s*\w{3}:([\d:]+)\s*$/.exec(value) : null;
    if (weekdayAtEnd) {
      return {
        what: 'a maintenance window the CRD accepts: a weekday may only come before the start time',
        hint: `write ${weekdayAtEnd[1]}:${weekdayAtEnd[2]}-${weekdayAtEnd[3]} (UTC); a window across days needs two entries`,
      };
    }
    return {
      what: 'a maintenance window the CRD accepts',
      hint: 'write HH:MM-HH:MM or Ddd:HH:MM-HH:MM in UTC, e.g. 01:00-06:00 or Sat:00:00-04:00',
    };
  }
  if (pattern.includes('25[0-5]') && pattern.includes('/')) {
    return { what: 'an IPv4 or IPv6 CIDR', hint: 'write e.g. 10.0.0.0/8, 203.0.113.7/32 or 2001:db8::/32' };
  }
  if (pattern.includes('[0-9a-fA-F]{8}'))
    return { what: 'a UUID', hint: 'write e.g. efd12e58-5786-11e8-b5a7-06148230260c' };
  return { what: `matching the CRD pattern ${pattern}` };
}
