/**
 * `acid-guard mutate` brings the yaml and ajv libraries, which a lint run never needs: in the
 * bundled CLI it is a file of its own (dist/mutate-command.cjs), loaded only when asked for.
 */
type MutateCommandModule = typeof import('./mutate-command.js');

let loadMutateCommand: () => Promise<MutateCommandModule> = () => import('./mutate-command.js');

/** Set by the bundled entry: where the separately bundled mutate command is. */
export function useBundledMutateCommand(load: () => MutateCommandModule): void {
  loadMutateCommand = async () => load();
}

export function mutateCommandModule(): Promise<MutateCommandModule> {
  return loadMutateCommand();
}
