import { isLabelValue } from '../kubernetes/names.js';
import type { Rule } from './rule.js';

const TEAM_PATH = 'spec.teamId';

/** A label value close to the text: `-` for what labels do not allow, alphanumeric at both ends. */
function labelValueLike(value: string): string {
  const cleaned = value
    .replace(/[^-A-Za-z0-9_.]+/g, '-')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
    .slice(0, 63)
    .replace(/[^A-Za-z0-9]+$/, '');
  return cleaned === '' ? 'acid' : cleaned;
}

export const teamEmptyId: Rule = {
  id: 'team/empty-id',
  severity: 'error',
  summary: '`spec.teamId` is empty.',
  why: 'The CRD requires the field but accepts `""`. The operator then creates no team roles (`no teamId specified`); with `enable_team_id_clustername_prefix` it refuses the cluster (`team name is empty`, status `Invalid`).',
  bad: 'spec:\n  teamId: ""\n',
  good: 'spec:\n  teamId: acid\n',
  *check({ object, policy }) {
    if (object.spec?.teamId !== '') return;
    yield {
      path: TEAM_PATH,
      message: policy.enableTeamIdClusternamePrefix
        ? 'team name is empty — with enable_team_id_clustername_prefix the operator sets the status Invalid and creates nothing'
        : 'no teamId specified: the operator creates no team roles and labels every object with an empty team',
      hint: 'write the owning team, e.g. teamId: acid',
    };
  },
};

export const teamInvalidLabelValue: Rule = {
  id: 'team/invalid-label-value',
  severity: 'error',
  summary: '`spec.teamId` is not a valid Kubernetes label value.',
  why: 'The operator puts the label `team=<teamId>` on the StatefulSet, pods, Services, PVCs, Secrets, PodDisruptionBudgets and the backup CronJob: Kubernetes refuses them when the value is longer than 63 characters or has characters other than letters, digits, `-`, `_` and `.` (alphanumeric at both ends).',
  bad: 'spec:\n  teamId: Data Platform\n',
  good: 'spec:\n  teamId: data-platform\n',
  *check({ object }) {
    const teamId = object.spec?.teamId;
    if (teamId === undefined || teamId === '' || isLabelValue(teamId)) return;
    yield {
      path: TEAM_PATH,
      message: `teamId ${JSON.stringify(teamId)} is not a valid label value: Kubernetes refuses every object the operator labels team=${teamId}`,
      hint: `write e.g. ${JSON.stringify(labelValueLike(teamId))}: at most 63 letters, digits, -, _ and ., alphanumeric at both ends`,
    };
  },
};

/** Rules about the owning team (spec.teamId). */
export const TEAM_RULES: readonly Rule[] = [teamEmptyId, teamInvalidLabelValue];
