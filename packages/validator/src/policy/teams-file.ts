import { index, key } from '../field-path.js';
import { type DocumentObject, objectsOfDocument } from '../source/document-objects.js';
import { LineIndex } from '../source/line-index.js';
import { parseYamlDocuments, type Span } from '../source/yaml-documents.js';
import { closest } from '../suggest.js';
import { typeOf } from './configmap-policy.js';
import { PolicyError } from './policy-error.js';

export const POSTGRES_TEAM_API_VERSION = 'acid.zalan.do/v1';
export const POSTGRES_TEAM_KIND = 'PostgresTeam';
/** The optional header of acid-guard's own teams file (not a Kubernetes resource). */
export const TEAMS_FILE_API_VERSION = 'acid-guard/v1';
export const TEAMS_FILE_KIND = 'TeamDirectory';

/** team id → names (member logins or team ids) in the order written, without repeats. */
export type TeamLists = ReadonlyMap<string, readonly string[]>;

/** One `PostgresTeam` object (acid.zalan.do/v1), as the operator merges it. */
export interface PostgresTeamSource {
  kind: 'PostgresTeam';
  /** For messages: `PostgresTeam "custom-team-membership" (teams.yaml)`. */
  origin: string;
  additionalMembers: TeamLists;
  additionalTeams: TeamLists;
  additionalSuperuserTeams: TeamLists;
}

/** A static teams file: team id → member logins, standing in for the Teams API. */
export interface TeamsFileSource {
  kind: 'TeamDirectory';
  origin: string;
  members: TeamLists;
}

export type TeamSource = PostgresTeamSource | TeamsFileSource;

export interface TeamSourcesRead {
  sources: TeamSource[];
  /** `file:line:column: message`: what was read but does not take effect as written. */
  warnings: string[];
}

const POSTGRES_TEAM_FIELDS = ['additionalMembers', 'additionalTeams', 'additionalSuperuserTeams'] as const;
const TEAMS_FILE_FIELDS = ['apiVersion', 'kind', 'teams'];
const EXPECTED = `a ${POSTGRES_TEAM_KIND} (${POSTGRES_TEAM_API_VERSION}) or a teams file (teams: {<team>: [<login>, …]})`;

type Json = Record<string, unknown>;

function joinPath(prefix: string, path: string): string {
  if (prefix === '') return path;
  return path === '' ? prefix : `${prefix}.${path}`;
}

function isMap(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A problem that does not stop reading, placed later. */
interface Note {
  path: string;
  message: string;
  on?: 'key';
}

/** Reads a file's pieces: the file name for errors, notes for warnings. */
interface Reader {
  file: string;
  notes: Note[];
  /** Whether the error thrown last is about a map key (an unknown field), not a value. */
  errorOnKey?: boolean;
}

function fail(reader: Reader, path: string, detail: string, hint?: string, on?: 'key'): never {
  reader.errorOnKey = on === 'key';
  throw new PolicyError(reader.file, detail, hint === undefined ? { path } : { path, hint });
}

/** A list of names: strings only (the CRD's `items: {type: string}`), repeats dropped. */
function readNames(value: unknown, path: string, reader: Reader, what: string): string[] {
  if (!Array.isArray(value)) {
    fail(
      reader,
      path,
      `${path}: ${typeOf(value)} is not a list of ${what}`,
      'write a list, e.g. [jdoe, alice]',
    );
  }
  const names: string[] = [];
  for (const [i, item] of value.entries()) {
    if (typeof item !== 'string') {
      fail(
        reader,
        index(path, i),
        `${index(path, i)}: ${typeOf(item)} is not a string`,
        item === null
          ? 'remove the empty entry'
          : typeof item === 'boolean'
            ? 'YAML reads it as a boolean: write the name in quotes'
            : `write it in quotes: "${String(item)}"`,
      );
    }
    if (item === '') {
      reader.notes.push({
        path: index(path, i),
        message: `${index(path, i)} is empty: the operator would try to create a role without a name`,
      });
      continue;
    }
    if (!names.includes(item)) names.push(item);
  }
  return names;
}

/**
 * A map team id → names. `null` values: the API server prunes them from a PostgresTeam (the team is
 * absent); in a teams file they mean a team without members.
 */
function readTeamLists(
  value: unknown,
  path: string,
  reader: Reader,
  what: string,
  nullMeans: 'absent' | 'empty',
): Map<string, string[]> {
  if (!isMap(value)) {
    fail(
      reader,
      path,
      `${path}: ${typeOf(value)} is not a map of team id → list of ${what}`,
      `write ${path.split('.').pop()}: {acid: [${what === 'teams' ? 'data' : 'jdoe'}]}`,
    );
  }
  const lists = new Map<string, string[]>();
  for (const [team, names] of Object.entries(value)) {
    if (team === '')
      fail(reader, key(path, team), `${path}: a team id is empty`, 'write the team id as the key');
    if (names === null || names === undefined) {
      if (nullMeans === 'empty') lists.set(team, []);
      continue;
    }
    lists.set(team, readNames(names, key(path, team), reader, what));
  }
  return lists;
}

function metadataName(value: Json): string | undefined {
  const metadata = value.metadata;
  const name = isMap(metadata) ? metadata.name : undefined;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** One PostgresTeam object, checked the way the API server would take it. Throws PolicyError (with a path). */
function readPostgresTeam(value: Json, reader: Reader, prefix: string): PostgresTeamSource {
  const at = (path: string) => joinPath(prefix, path);
  if (value.apiVersion !== POSTGRES_TEAM_API_VERSION) {
    fail(
      reader,
      at('apiVersion'),
      value.apiVersion === undefined
        ? 'the PostgresTeam has no apiVersion'
        : `a PostgresTeam of ${JSON.stringify(value.apiVersion)} does not exist: the operator's CRD serves it only as ${POSTGRES_TEAM_API_VERSION}`,
      `write apiVersion: ${POSTGRES_TEAM_API_VERSION}`,
    );
  }
  const name = metadataName(value);
  const origin = `PostgresTeam ${name === undefined ? '(without name)' : JSON.stringify(name)} (${reader.file})`;
  const spec = value.spec;
  if (spec === undefined || spec === null) {
    fail(
      reader,
      at(''),
      `${origin} has no spec (the CRD requires it)`,
      'add spec: with additionalMembers, additionalTeams or additionalSuperuserTeams',
    );
  }
  if (!isMap(spec)) fail(reader, at('spec'), `spec: ${typeOf(spec)} is not a map`);
  for (const field of Object.keys(spec)) {
    if ((POSTGRES_TEAM_FIELDS as readonly string[]).includes(field)) continue;
    const near = closest(field, POSTGRES_TEAM_FIELDS);
    reader.notes.push({
      path: at(`spec.${field}`),
      on: 'key',
      message: `spec.${field} is not a PostgresTeam field: the API server drops it${near === undefined ? '' : `; did you mean ${near}?`}`,
    });
  }
  const lists = (field: (typeof POSTGRES_TEAM_FIELDS)[number], what: string) => {
    const raw = spec[field];
    return raw === undefined || raw === null
      ? new Map<string, string[]>()
      : readTeamLists(raw, at(`spec.${field}`), reader, what, 'absent');
  };
  return {
    kind: 'PostgresTeam',
    origin,
    additionalMembers: lists('additionalMembers', 'logins'),
    additionalTeams: lists('additionalTeams', 'teams'),
    additionalSuperuserTeams: lists('additionalSuperuserTeams', 'teams'),
  };
}

/** acid-guard's teams file: `teams: {<team>: [<login>, …]}`, optionally with its apiVersion/kind header. */
function readTeamsFileObject(value: Json, reader: Reader, prefix: string): TeamsFileSource {
  const at = (path: string) => joinPath(prefix, path);
  for (const field of Object.keys(value)) {
    if (TEAMS_FILE_FIELDS.includes(field)) continue;
    const near = closest(field, TEAMS_FILE_FIELDS);
    fail(
      reader,
      at(field),
      `${field} is not a field of a teams file (fields: ${TEAMS_FILE_FIELDS.join(', ')})`,
      near === undefined ? 'write the teams under teams:' : `did you mean ${near}?`,
      'key',
    );
  }
  if (value.kind !== undefined && value.kind !== TEAMS_FILE_KIND) {
    fail(
      reader,
      at('kind'),
      `kind ${JSON.stringify(value.kind)} is not a teams file`,
      `write kind: ${TEAMS_FILE_KIND}`,
    );
  }
  if (value.apiVersion !== undefined && value.apiVersion !== TEAMS_FILE_API_VERSION) {
    fail(
      reader,
      at('apiVersion'),
      `apiVersion ${JSON.stringify(value.apiVersion)} is not the teams file's`,
      `write apiVersion: ${TEAMS_FILE_API_VERSION}, or leave the header out`,
    );
  }
  if (value.teams === undefined || value.teams === null) {
    fail(reader, at('teams'), 'the teams file has no teams', 'write teams: {acid: [jdoe, alice]}');
  }
  return {
    kind: 'TeamDirectory',
    origin: `teams file ${reader.file}`,
    members: readTeamLists(value.teams, at('teams'), reader, 'logins', 'empty'),
  };
}

interface ParsedFile {
  objects: DocumentObject[];
  position(span: Span): { line: number; column: number };
  /** `file:line:column: message` for a note of an object. */
  place(object: DocumentObject, note: Note): string;
}

function parseFile(text: string, file: string, strict: boolean): ParsedFile {
  const lines = new LineIndex(text);
  const position = (span: Span) => lines.position(span.start);
  const documents = parseYamlDocuments(text);
  if (strict) {
    for (const doc of documents) {
      const broken = doc.problems.find((p) => p.ruleId !== 'yaml/duplicate-key');
      if (broken) throw new PolicyError(file, broken.message, { location: position(broken.span) });
    }
  }
  return {
    objects: documents.flatMap(objectsOfDocument),
    position,
    place(object, note) {
      const { line, column } = position(object.doc.locate(note.path, note.on ?? 'value'));
      return `${file}:${line}:${column}: ${note.message}`;
    },
  };
}

function located(error: unknown, object: DocumentObject, parsed: ParsedFile, reader: Reader): unknown {
  if (!(error instanceof PolicyError)) return error;
  const on = reader.errorOnKey ? 'key' : 'value';
  return error.at(parsed.position(object.doc.locate(error.path ?? object.prefix, on)));
}

/**
 * Reads a file given with `--teams`: every object must be a `PostgresTeam` (acid.zalan.do/v1) or a
 * teams file (`teams: {<team>: [<login>, …]}`, optional header `apiVersion: acid-guard/v1`,
 * `kind: TeamDirectory`). YAML or JSON, any number of documents, `kind: List` expanded.
 * Throws PolicyError (`file:line:column: …`) for anything else.
 */
export function readTeamsFile(text: string, file: string): TeamSourcesRead {
  const parsed = parseFile(text, file, true);
  if (parsed.objects.length === 0) throw new PolicyError(file, `no YAML document; expected ${EXPECTED}`);
  const sources: TeamSource[] = [];
  const warnings: string[] = [];
  for (const object of parsed.objects) {
    const reader: Reader = { file, notes: [] };
    try {
      sources.push(readTeamObject(object, reader));
    } catch (error) {
      throw located(error, object, parsed, reader);
    }
    for (const problem of object.doc.problems) {
      const { line, column } = parsed.position(problem.span);
      warnings.push(`${file}:${line}:${column}: ${problem.message}`);
    }
    warnings.push(...reader.notes.map((note) => parsed.place(object, note)));
  }
  return { sources, warnings: [...new Set(warnings)] };
}

function readTeamObject(object: DocumentObject, reader: Reader): TeamSource {
  const { value, prefix } = object;
  if (!isMap(value)) fail(reader, prefix, `expected ${EXPECTED}, got ${typeOf(value)}`);
  if (value.kind === POSTGRES_TEAM_KIND) return readPostgresTeam(value, reader, prefix);
  if (value.kind === TEAMS_FILE_KIND || (value.kind === undefined && value.apiVersion === undefined)) {
    return readTeamsFileObject(value, reader, prefix);
  }
  const got =
    typeof value.kind === 'string' ? `kind ${value.kind}` : `apiVersion ${String(value.apiVersion)}`;
  const hint =
    typeof value.kind === 'string' && value.kind.toLowerCase() === POSTGRES_TEAM_KIND.toLowerCase()
      ? `write kind: ${POSTGRES_TEAM_KIND}`
      : undefined;
  fail(reader, joinPath(prefix, 'kind'), `expected ${EXPECTED}, got ${got}`, hint);
}

/**
 * The `PostgresTeam` objects in a text that is being linted: everything else is left to the linter
 * (other kinds, YAML problems). A PostgresTeam the API server would refuse is not used and comes
 * back as a warning instead of failing the run.
 */
export function postgresTeamsInText(text: string, file: string): TeamSourcesRead {
  const parsed = parseFile(text, file, false);
  const sources: TeamSource[] = [];
  const warnings: string[] = [];
  for (const object of parsed.objects) {
    if (!isMap(object.value) || object.value.kind !== POSTGRES_TEAM_KIND) continue;
    const reader: Reader = { file, notes: [] };
    try {
      sources.push(readPostgresTeam(object.value, reader, object.prefix));
    } catch (error) {
      const problem = located(error, object, parsed, reader);
      if (!(problem instanceof PolicyError)) throw problem;
      warnings.push(`${problem.message} (this PostgresTeam is not used)`);
      continue;
    }
    warnings.push(...reader.notes.map((note) => parsed.place(object, note)));
  }
  return { sources, warnings };
}

/** One already parsed `PostgresTeam` object (e.g. from the cluster). Throws PolicyError (with a path). */
export function postgresTeamFromObject(value: unknown, source: string): PostgresTeamSource {
  const reader: Reader = { file: source, notes: [] };
  if (!isMap(value)) fail(reader, '', `expected a ${POSTGRES_TEAM_KIND}, got ${typeOf(value)}`);
  if (value.kind !== POSTGRES_TEAM_KIND) {
    fail(reader, 'kind', `expected a ${POSTGRES_TEAM_KIND}, got kind ${JSON.stringify(value.kind ?? null)}`);
  }
  return readPostgresTeam(value, reader, '');
}
