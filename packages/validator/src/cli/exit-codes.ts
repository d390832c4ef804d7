/** Exit codes of the CLI: a stable promise for scripts, hooks and CI. */
export const EXIT = {
  /** No errors (warnings may have been printed). */
  OK: 0,
  /** At least one error finding. */
  FINDINGS: 1,
  /** The tool itself failed: bad flag, unreadable path, oversized input. */
  TOOL_FAILURE: 2,
} as const;
