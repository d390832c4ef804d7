import type { Severity } from '../finding.js';
import type { OperatorPolicy } from '../policy/operator-policy.js';
import type { RuleContext } from './rule-context.js';

/** A problem a rule found: a finding before the engine adds the rule's id and severity. */
export interface Problem {
  path: string;
  message: string;
  hint?: string;
}

/** What a rule is, as data: `docs/rules.md`, `acid-guard rules` and `explain` are made from it. */
export interface RuleMeta {
  /** Stable `family/name`. */
  id: string;
  severity: Severity;
  /** One line: what the rule checks. */
  summary: string;
  /** Why it matters: what the operator or Kubernetes would do with such a manifest. */
  why: string;
  /** A manifest fragment that fails, merged into a minimal valid manifest (or a whole text when `raw`). */
  bad: string;
  /** The same fragment written right. */
  good: string;
  /** The examples are whole YAML texts, not fragments (YAML-level rules). */
  raw?: boolean;
  /** Where in a file the finding points: the value (default) or the map key. */
  target?: 'key' | 'value';
  /** Only a file can show it: the API server erases it before any webhook sees the object. */
  fileOnly?: boolean;
  /** Operator settings under which the examples show the rule (e.g. a feature the policy turns on). */
  examplePolicy?: Partial<OperatorPolicy>;
  /** For update checks: the previous version, a fragment merged into the same minimal manifest. */
  exampleOld?: string;
  /** For operation-specific checks (DELETE). Default: UPDATE when exampleOld is given, else CREATE. */
  exampleOperation?: 'CREATE' | 'UPDATE' | 'DELETE';
  /** The operator version whose behaviour the rule describes, when it matters (default: 2.0.1). */
  operatorVersion?: string;
  /** The operations the rule judges; CREATE and UPDATE when absent. DELETE runs only rules that list it. */
  operations?: readonly ('CREATE' | 'UPDATE' | 'DELETE')[];
  /** The instant the examples are judged at (rules that compare dates), ISO 8601. */
  exampleNow?: string;
  /** A team directory for the examples: a teams file or PostgresTeam manifests (team rules). */
  exampleTeams?: string;
}

/** A rule with a check. Rules never do I/O: everything they need arrives in the context. */
export interface Rule extends RuleMeta {
  check(context: RuleContext): Iterable<Problem>;
}
