/** Where in its file a policy problem is (1-based). */
export interface PolicyLocation {
  line: number;
  column: number;
}

export interface PolicyErrorDetails {
  /** Field path in the document that was read (`data.min_instances`, `configuration.kubernetes.enable_sidecars`). */
  path?: string;
  /** What to write instead. */
  hint?: string;
  location?: PolicyLocation;
}

/**
 * An operator configuration that cannot be used: a value the operator panics on at start (ConfigMap
 * path), one the API server rejects (OperatorConfiguration path), a document that is no operator
 * configuration at all, or YAML that cannot be read. A tool failure, not a finding: the CLI exits 2.
 */
export class PolicyError extends Error {
  readonly code = 'POLICY_INVALID';
  readonly path: string | undefined;
  readonly hint: string | undefined;
  readonly location: PolicyLocation | undefined;

  constructor(
    /** What was read: a file name, `ConfigMap postgres-operator`. */
    readonly source: string,
    /** What is wrong, without the source: `min_instances: "two" is not an integer`. */
    readonly detail: string,
    details: PolicyErrorDetails = {},
  ) {
    const where = details.location ? `${source}:${details.location.line}:${details.location.column}` : source;
    super(`${where}: ${detail}${details.hint ? `; ${details.hint}` : ''}`);
    this.name = 'PolicyError';
    this.path = details.path;
    this.hint = details.hint;
    this.location = details.location;
  }

  /** The same error, placed at a line and column of its file. */
  at(location: PolicyLocation): PolicyError {
    const details: PolicyErrorDetails = { location };
    if (this.path !== undefined) details.path = this.path;
    if (this.hint !== undefined) details.hint = this.hint;
    return new PolicyError(this.source, this.detail, details);
  }
}
