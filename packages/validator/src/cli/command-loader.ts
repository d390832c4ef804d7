/**
 * Commands that bring heavy libraries are bundled apart in the CLI and loaded only when asked for:
 * `acid-guard mutate` brings the yaml and ajv libraries (dist/mutate-command.cjs), `acid-guard audit`
 * @kubernetes/client-node and yaml (dist/audit-command.cjs), `--crd` and `--operator-version` the CRD
 * compiler with ajv and the other releases' schemas (dist/schema-choice.cjs). A lint run with the
 * built-in schema reads none of them.
 */
type MutateCommandModule = typeof import('./mutate-command.js');
type AuditCommandModule = typeof import('./audit-command.js');
type SchemaChoiceModule = typeof import('./schema-choice.js');

let loadMutateCommand: () => Promise<MutateCommandModule> = () => import('./mutate-command.js');
let loadAuditCommand: () => Promise<AuditCommandModule> = () => import('./audit-command.js');
let loadSchemaChoice: () => Promise<SchemaChoiceModule> = () => import('./schema-choice.js');

/** Set by the bundled entry: where the separately bundled mutate command is. */
export function useBundledMutateCommand(load: () => unknown): void {
  loadMutateCommand = async () => load() as MutateCommandModule;
}

/** Set by the bundled entry: where the separately bundled audit command is. */
export function useBundledAuditCommand(load: () => unknown): void {
  loadAuditCommand = async () => load() as AuditCommandModule;
}

/** Set by the bundled entry: where the separately bundled CRD compiler and shipped schemas are. */
export function useBundledSchemaChoice(load: () => unknown): void {
  loadSchemaChoice = async () => load() as SchemaChoiceModule;
}

export function mutateCommandModule(): Promise<MutateCommandModule> {
  return loadMutateCommand();
}

export function auditCommandModule(): Promise<AuditCommandModule> {
  return loadAuditCommand();
}

/** `--crd` and `--operator-version`: the CRD compiler (ajv) and the shipped schemas of other releases. */
export function schemaChoiceModule(): Promise<SchemaChoiceModule> {
  return loadSchemaChoice();
}
