/**
 * Where the webhook's policy comes from. A `PolicySource` hands out one consistent snapshot at a time
 * (operator policy, defaults policy, team directory, schema, built together); a reload builds a whole new
 * snapshot and swaps it in, or keeps the old one when anything fails. Files now; the live cluster
 * sources (ConfigMap, OperatorConfiguration, PostgresTeam informers) implement the same interface.
 */
import { readFile } from 'node:fs/promises';
import {
  CONFIGMAP_DEFAULTS,
  type CompiledSchema,
  type DefaultsPolicy,
  loadDefaultsPolicy,
  type OperatorPolicy,
  policyFromText,
  type TeamDirectory,
  teamDirectoryFrom,
} from '@acid-guard/validator';
import { type FileWatch, type FileWatchOptions, watchFiles } from './file-watch.js';

export interface PolicySnapshot {
  /** The operator's configuration; its v2.0.1 defaults when none is given. */
  readonly policy: OperatorPolicy;
  /** The platform team's defaults for `/mutate`; without them only type repairs apply. */
  readonly defaults?: DefaultsPolicy;
  /** Who is in which team; team member rules are silent without it. */
  readonly teams?: TeamDirectory;
  /**
   * The `postgresql` schema to judge with: the cluster's CRD with `--cluster` (when it can be read and
   * used); the built-in one (operator v2.0.1) when undefined.
   */
  readonly schema?: CompiledSchema;
  readonly loadedAt: Date;
  /** What it was built from, for logs: file names or `built-in operator defaults`. */
  readonly sources: readonly string[];
  /** What was read but does not take effect as written (from the loaders). */
  readonly warnings: readonly string[];
}

/** The outcome of one reload. */
export type ReloadEvent = { snapshot: PolicySnapshot } | { error: Error };

export interface PolicySource {
  /** Loads the first snapshot; rejects when it cannot (the webhook then does not become ready). */
  start(): Promise<PolicySnapshot>;
  /** The current snapshot; undefined until `start` resolved. */
  current(): PolicySnapshot | undefined;
  /** Tells about each reload after the first load. */
  onReload(listener: (event: ReloadEvent) => void): void;
  close(): Promise<void>;
}

export interface PolicyFiles {
  /** The operator's ConfigMap, OperatorConfiguration or a whole install (`--operator-config`). */
  operatorConfig?: string;
  /** A DefaultsPolicy (`--defaults`). */
  defaults?: string;
  /** PostgresTeam manifests or teams files (`--teams`, repeatable). */
  teams?: readonly string[];
}

const BUILT_IN = 'built-in operator defaults (v2.0.1, ConfigMap path)';

/** One snapshot from the files as they are now. Throws PolicyError / DefaultsPolicyError. */
export async function loadPolicyFiles(files: PolicyFiles, now: Date = new Date()): Promise<PolicySnapshot> {
  const read = (path: string) => readFile(path, 'utf8');
  const teamPaths = files.teams ?? [];
  const [operatorText, defaultsText, teamTexts] = await Promise.all([
    files.operatorConfig === undefined ? undefined : read(files.operatorConfig),
    files.defaults === undefined ? undefined : read(files.defaults),
    Promise.all(teamPaths.map(read)),
  ]);
  const warnings: string[] = [];
  let policy: OperatorPolicy = CONFIGMAP_DEFAULTS;
  if (operatorText !== undefined && files.operatorConfig !== undefined) {
    const loaded = policyFromText(operatorText, files.operatorConfig);
    policy = loaded.policy;
    warnings.push(...loaded.warnings);
  }
  const snapshot: {
    -readonly [K in keyof PolicySnapshot]: PolicySnapshot[K];
  } = {
    policy,
    loadedAt: now,
    sources: [files.operatorConfig ?? BUILT_IN, ...(files.defaults ? [files.defaults] : []), ...teamPaths],
    warnings,
  };
  if (defaultsText !== undefined && files.defaults !== undefined) {
    snapshot.defaults = loadDefaultsPolicy(defaultsText, files.defaults);
  }
  if (teamPaths.length > 0) {
    const texts = teamTexts.map((text, i) => ({ text, source: teamPaths[i] as string }));
    const teams = teamDirectoryFrom(texts, policy);
    snapshot.teams = teams.directory;
    warnings.push(...teams.warnings);
  }
  return snapshot;
}

/** The policy from files, reloaded when a file changes (a ConfigMap volume swaps `..data`). */
export class FilePolicySource implements PolicySource {
  #snapshot: PolicySnapshot | undefined;
  #watch: FileWatch | undefined;
  #listeners: ((event: ReloadEvent) => void)[] = [];
  #reloading: Promise<void> = Promise.resolve();

  constructor(
    readonly files: PolicyFiles,
    readonly options: { watch?: boolean } & FileWatchOptions = {},
  ) {}

  get paths(): string[] {
    const { operatorConfig, defaults, teams = [] } = this.files;
    return [operatorConfig, defaults, ...teams].filter((p): p is string => p !== undefined);
  }

  async start(): Promise<PolicySnapshot> {
    this.#snapshot = await loadPolicyFiles(this.files);
    if (this.options.watch !== false && this.paths.length > 0) {
      this.#watch = watchFiles(this.paths, () => void this.reload(), this.options);
    }
    return this.#snapshot;
  }

  current(): PolicySnapshot | undefined {
    return this.#snapshot;
  }

  onReload(listener: (event: ReloadEvent) => void): void {
    this.#listeners.push(listener);
  }

  /** Reads the files again; keeps the current snapshot when they cannot be used. One at a time. */
  reload(): Promise<void> {
    this.#reloading = this.#reloading.then(async () => {
      let event: ReloadEvent;
      try {
        const snapshot = await loadPolicyFiles(this.files);
        this.#snapshot = snapshot;
        event = { snapshot };
      } catch (error) {
        event = { error: error as Error };
      }
      for (const listener of this.#listeners) listener(event);
    });
    return this.#reloading;
  }

  async close(): Promise<void> {
    this.#watch?.close();
    await this.#reloading;
  }
}

/** A fixed snapshot (tests, embedding). */
export class StaticPolicySource implements PolicySource {
  #snapshot: PolicySnapshot | undefined;

  constructor(readonly snapshot: Partial<PolicySnapshot> = {}) {}

  async start(): Promise<PolicySnapshot> {
    this.#snapshot = {
      policy: CONFIGMAP_DEFAULTS,
      loadedAt: new Date(),
      sources: ['static'],
      warnings: [],
      ...this.snapshot,
    };
    return this.#snapshot;
  }

  current(): PolicySnapshot | undefined {
    return this.#snapshot;
  }

  onReload(): void {}

  async close(): Promise<void> {}
}
