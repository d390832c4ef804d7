import { key } from '../field-path.js';
import type { Problem, Rule } from './rule.js';
import type { RuleContext } from './rule-context.js';

/** `YYYY-MM-DD` of an instant in UTC, as the operator formats its current date (b.19). */
export function utcDate(now: Date): string {
  return now.toISOString().slice(0, 10);
}

function* deleteProblems(context: RuleContext): Iterable<Problem> {
  const { deleteAnnotationDateKey: dateKey, deleteAnnotationNameKey: nameKey } = context.policy;
  const annotations = context.object.metadata?.annotations ?? {};
  const name = context.object.metadata?.name ?? '';
  const expectations: [string, string, string][] = [];
  if (dateKey !== '') expectations.push([dateKey, utcDate(context.now), 'the current date']);
  if (nameKey !== '') expectations.push([nameKey, name, 'the cluster name']);
  for (const [annotation, expected, meaning] of expectations) {
    const path = key('metadata.annotations', annotation);
    const value = annotations[annotation];
    if (value === undefined) {
      yield {
        path,
        message: `annotation ${annotation} not set in manifest to allow cluster deletion`,
        hint: `annotate first: kubectl annotate postgresql ${name} ${annotation}=${expected}`,
      };
    } else if (value !== expected) {
      yield {
        path,
        message: `annotation ${annotation} not matching ${meaning}: got ${value}, expected ${expected}`,
        hint: `kubectl annotate --overwrite postgresql ${name} ${annotation}=${expected}`,
      };
    }
  }
}

export const deleteProtection: Rule = {
  id: 'delete/protection',
  severity: 'error',
  operations: ['DELETE'],
  summary:
    'A DELETE without the annotations the operator’s `delete_annotation_date_key` / `delete_annotation_name_key` ask for.',
  why: 'The operator only logs `manifest does not fulfill delete requirements` and leaves every child object behind — the postgresql object is gone, its pods, volumes and secrets are not (and with enable_owner_references it does not check at all). The admission webhook enforces what the operator only hopes for.',
  examplePolicy: { deleteAnnotationDateKey: 'delete-date', deleteAnnotationNameKey: 'delete-clustername' },
  exampleOperation: 'DELETE',
  exampleNow: '2026-11-26T09:00:00Z',
  bad: 'metadata:\n  annotations:\n    delete-date: "2026-11-25"\n',
  good: 'metadata:\n  annotations:\n    delete-date: "2026-11-26"\n    delete-clustername: acid-demo\n',
  check: deleteProblems,
};

export const DELETE_RULES: readonly Rule[] = [deleteProtection];
