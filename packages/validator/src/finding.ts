/** Severity of a finding: an error blocks (exit 1, admission denied), a warning informs. */
export type Severity = 'error' | 'warning';

/** 1-based positions in a file, end inclusive of the last character's column + 1 (end-exclusive). */
export interface Location {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** Every rule result, everywhere — the linter, the webhook and the library — has this shape. */
export interface Finding {
  /** Stable `family/name`, e.g. `users/invalid-name`. */
  ruleId: string;
  severity: Severity;
  /** Kubernetes field path: `spec.users[foo_user]`, `spec.maintenanceWindows[0]`. */
  path: string;
  /** What is wrong, in the operator's terms. */
  message: string;
  /** What to write instead. */
  hint?: string;
  /** Where it is, when the object came from a file. */
  location?: Location;
}
