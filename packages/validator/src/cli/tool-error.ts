/** Stable codes of the tool's own failures (not findings): each makes the CLI exit 2. */
export type ToolErrorCode =
  | 'USAGE'
  | 'UNKNOWN_COMMAND'
  | 'NOT_FOUND'
  | 'UNREADABLE'
  | 'TOO_LARGE'
  | 'NO_INPUT'
  | 'WRITE_FAILED'
  | 'BAD_POLICY'
  | 'BAD_CRD';

/** A failure of the tool itself: a bad flag, a path that cannot be read. One line, exit code 2. */
export class ToolError extends Error {
  constructor(
    readonly code: ToolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ToolError';
  }

  /**
   * Recognises a ToolError by shape, not by class: commands bundled apart (mutate, audit) carry
   * their own copy of this class, so `instanceof` would miss theirs.
   */
  static is(error: unknown): error is ToolError {
    return (
      error instanceof Error && error.name === 'ToolError' && typeof (error as ToolError).code === 'string'
    );
  }
}
