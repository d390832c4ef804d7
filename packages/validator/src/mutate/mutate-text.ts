import {
  isAlias,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  parseAllDocuments,
  stringify,
  visit,
  type YAMLMap,
} from 'yaml';
import { ToolError } from '../cli/tool-error.js';
import { pointerSegments } from '../schema/schema-navigator.js';
import { LineIndex } from '../source/line-index.js';
import { parseYamlDocuments } from '../source/yaml-documents.js';
import { looksLikePostgresql } from '../validate.js';
import type { JsonPatchOperation } from './json-patch.js';
import { type MutateContext, type MutationResult, mutate } from './mutate.js';

/**
 * Mutates the postgresql documents of a YAML (or JSON) text and writes the changes back into the text
 * itself, so that comments, key order, quoting and indentation stay as the user wrote them: the
 * \`yaml\` package only says where each node is, and the RFC 6902 patch of each object drives small
 * insertions and replacements. Other documents stay byte-identical.
 */
export interface MutatedObject {
  /** 0-based index of the document among the file's non-empty documents. */
  document: number;
  /** Path of the object in its document: '' or `items[2]` of a `kind: List`. */
  prefix: string;
  /** `metadata.name`, when it has one. */
  name?: string;
  /** The object as read (what kubectl would send). */
  input: unknown;
  result: MutationResult;
}

export interface MutatedText {
  /** The whole file, mutated. */
  text: string;
  objects: MutatedObject[];
}

/**
 * Mutates every `postgresql` object of a YAML (or JSON) text and returns the edited text: new members
 * are inserted after the last entry of their map, repaired values replaced where they stand. Throws a
 * ToolError when the text is not valid YAML or a change would have to go through an alias.
 */
export function mutateText(text: string, context: MutateContext = {}, source = '<input>'): MutatedText {
  const lines = new LineIndex(text);
  const at = (offset: number) => {
    const { line, column } = lines.position(offset);
    return `${source}:${line}:${column}`;
  };
  const documents = parseYamlDocuments(text);
  for (const problem of documents.flatMap((d) => d.problems)) {
    throw new ToolError(
      'UNREADABLE',
      `${at(problem.span.start)}: ${problem.message}; fix it first (acid-guard lint shows every problem)`,
    );
  }
  const parsed = parseAllDocuments(text, { version: '1.1', uniqueKeys: false });
  const editable = (Array.isArray(parsed) ? parsed : []).filter((d) => !isEmptyDocument(d.contents));
  for (const error of editable.flatMap((d) => d.errors)) {
    throw new ToolError('UNREADABLE', `${at(error.pos[0])}: ${error.message.split('\n')[0]}`);
  }
  if (editable.length !== documents.length) {
    throw new ToolError('UNREADABLE', `${source}: the YAML documents could not be matched up for editing`);
  }
  const editor = new YamlEditor(text, source, styleOf(text, lines, editable));
  const objects: MutatedObject[] = [];
  documents.forEach((doc, index) => {
    const root = editable[index]?.contents ?? null;
    for (const { object, prefix, segments } of objectsOf(doc.value)) {
      if (!looksLikePostgresql(object)) continue;
      const result = mutate(object, context);
      const mutatedObject: MutatedObject = { document: index, prefix, input: object, result };
      const name = (object as { metadata?: { name?: unknown } }).metadata?.name;
      if (typeof name === 'string') mutatedObject.name = name;
      objects.push(mutatedObject);
      for (const operation of result.patch) editor.apply(root, segments, operation);
    }
  });
  return { text: editor.result(), objects };
}

/** A document that js-yaml skips too: nothing, or an empty plain scalar without tag or anchor. */
function isEmptyDocument(contents: Node | null): boolean {
  return (
    contents === null ||
    (isScalar(contents) &&
      contents.value === null &&
      contents.source === '' &&
      contents.tag === undefined &&
      contents.anchor === undefined)
  );
}

/** The objects of a document: itself, or the items of a `kind: List`. */
function objectsOf(value: unknown): { object: unknown; prefix: string; segments: string[] }[] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const { kind, items } = value as { kind?: unknown; items?: unknown };
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items)) {
      return items.map((object, i) => ({ object, prefix: `items[${i}]`, segments: ['items', String(i)] }));
    }
  }
  return [{ object: value, prefix: '', segments: [] }];
}

/** How the file writes YAML, so that inserted lines look like their neighbours. */
interface YamlStyle {
  eol: '\n' | '\r\n';
  /** Spaces per nesting level. */
  indent: number;
  /** Whether block lists are indented below their key (`key:\n  - a`) or not (`key:\n- a`). */
  indentSeq: boolean;
}

function styleOf(text: string, lines: LineIndex, documents: { contents: Node | null }[]): YamlStyle {
  const style: YamlStyle = { eol: text.includes('\r\n') ? '\r\n' : '\n', indent: 2, indentSeq: true };
  let indentFound = false;
  let seqFound = false;
  for (const { contents } of documents) {
    if (contents === null) continue;
    visit(contents, {
      Pair(_, pair) {
        const keyStart = startOf(pair.key);
        const valueStart = startOf(pair.value);
        if (keyStart === undefined || valueStart === undefined || !isCollection(pair.value)) return;
        if (pair.value.flow || lines.position(keyStart).line === lines.position(valueStart).line) return;
        const depth = columnOf(text, valueStart) - columnOf(text, keyStart);
        if (isMap(pair.value) && !indentFound && depth > 0) {
          style.indent = depth;
          indentFound = true;
        }
        if (isSeq(pair.value) && !seqFound) {
          style.indentSeq = depth > 0;
          seqFound = true;
        }
        if (indentFound && seqFound) return visit.BREAK;
      },
    });
  }
  return style;
}

function startOf(node: unknown): number | undefined {
  return isScalar(node) || isCollection(node) ? node.range?.[0] : undefined;
}

function endOf(node: unknown): number | undefined {
  return isScalar(node) || isCollection(node) ? node.range?.[1] : undefined;
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** Is this node written as nothing (`key:` with no value)? */
function isBlank(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.source === '' && node.value === null);
}

interface TextEdit {
  start: number;
  end: number;
  text: string;
  /** Order of creation: edits at the same offset keep it. */
  order: number;
}

/** Turns patch operations into splices of the source text. */
class YamlEditor {
  readonly #edits: TextEdit[] = [];
  /** Whether the document being edited is JSON (a flow map at its root): new text is JSON too. */
  #json = false;
  /** How many members were added to each flow map so far. */
  readonly #addedTo = new WeakMap<YAMLMap, number>();

  constructor(
    private readonly text: string,
    private readonly source: string,
    private readonly style: YamlStyle,
  ) {}

  apply(root: Node | null, prefix: readonly string[], operation: JsonPatchOperation): void {
    this.#json = isMap(root) && root.flow === true;
    const segments = [...prefix, ...pointerSegments(operation.path)];
    const name = segments.pop();
    if (name === undefined) throw this.cannot(segments, 'the patch replaces a whole document');
    const parent = this.nodeAt(root, segments);
    if (isMap(parent)) {
      const pair = findPair(parent, name);
      if (pair === undefined) {
        if (operation.op !== 'add') throw this.cannot([...segments, name], 'not found (a merge key?)');
        this.push(
          parent.flow
            ? this.addToFlowMap(parent, name, operation.value)
            : this.addToBlockMap(parent, name, operation.value),
        );
      } else if (isAlias(pair.value)) {
        throw this.cannot([...segments, name], 'the value is a YAML alias');
      } else if (isScalar(pair.value) && !isBlank(pair.value) && !isObject(operation.value)) {
        this.push(this.replaceScalar(pair.value.range, operation.value, parent.flow === true));
      } else {
        for (const edit of this.replacePair(parent, pair, name, operation.value)) this.push(edit);
      }
      return;
    }
    if (isSeq(parent) && operation.op === 'replace') {
      const item = parent.items[Number(name)];
      if (isScalar(item) && !isObject(operation.value)) {
        this.push(this.replaceScalar(item.range, operation.value, parent.flow === true));
        return;
      }
    }
    throw this.cannot([...segments, name], 'the YAML there is not a map');
  }

  /** The text with every edit applied; edits at the same offset in the order they were made. */
  result(): string {
    const edits = [...this.#edits].sort((a, b) => a.start - b.start || a.order - b.order);
    const pieces: string[] = [];
    let from = 0;
    for (const edit of edits) {
      pieces.push(this.text.slice(from, edit.start), edit.text);
      from = Math.max(from, edit.end);
    }
    pieces.push(this.text.slice(from));
    return pieces.join('');
  }

  private push(edit: Omit<TextEdit, 'order'>): void {
    this.#edits.push({ ...edit, order: this.#edits.length });
  }

  private cannot(segments: readonly string[], why: string): ToolError {
    return new ToolError('UNREADABLE', `${this.source}: cannot edit /${segments.join('/')} in place: ${why}`);
  }

  private nodeAt(root: Node | null, segments: readonly string[]): unknown {
    let node: unknown = root;
    for (const [i, segment] of segments.entries()) {
      if (isAlias(node)) throw this.cannot(segments.slice(0, i), 'it is a YAML alias');
      if (isMap(node)) node = findPair(node, segment)?.value;
      else if (isSeq(node)) node = node.items[Number(segment)];
      else node = undefined;
      if (node === undefined) throw this.cannot(segments.slice(0, i + 1), 'not found (a merge key?)');
    }
    if (isAlias(node)) throw this.cannot(segments, 'it is a YAML alias');
    return node;
  }

  /** A new member at the end of a block map, after its last entry and the comments indented with it. */
  private addToBlockMap(map: YAMLMap, name: string, value: unknown): Omit<TextEdit, 'order'> {
    const first = map.items[0];
    const last = map.items.at(-1);
    const keyStart = first === undefined ? undefined : startOf(first.key);
    if (last === undefined || keyStart === undefined) throw this.cannot([name], 'an unexpected map');
    const column = columnOf(this.text, keyStart);
    const lastEnd = isBlank(last.value) ? endOf(last.key) : endOf(last.value);
    let at = this.endOfLine(lastEnd ?? keyStart);
    for (let scan = at; scan < this.text.length; ) {
      const next = this.nextLine(scan);
      const line = this.text.slice(scan, next);
      const content = line.trimStart();
      if (content.trim() === '') scan = next;
      else if (content.startsWith('#') && line.length - content.length >= column) at = scan = next;
      else break;
    }
    let inserted = this.blockPair(name, value, column);
    if (at > 0 && this.text[at - 1] !== '\n') inserted = this.style.eol + inserted;
    return { start: at, end: at, text: inserted };
  }

  /**
   * A new member at the end of a flow map: `{a: 1}` → `{a: 1, b: 2}`; in a map written over several
   * lines (JSON, mostly), on a line of its own below the last member.
   */
  private addToFlowMap(map: YAMLMap, name: string, value: unknown): Omit<TextEdit, 'order'> {
    const [start, end] = map.range ?? [0, 0];
    const close = end - 1;
    if (this.text[close] !== '}') throw this.cannot([name], 'an unexpected flow map');
    const pair = this.flowPair(name, value);
    // Members added before this one went to the same place, and need a comma in between.
    const earlier = this.#addedTo.get(map) ?? 0;
    this.#addedTo.set(map, earlier + 1);
    const last = map.items.at(-1);
    const firstKey = startOf(map.items[0]?.key);
    const lastEnd = last === undefined ? undefined : (endOf(last.value) ?? endOf(last.key));
    if (firstKey !== undefined && lastEnd !== undefined && this.text.slice(lastEnd, close).includes('\n')) {
      const comma = /^[ \t]*,/.exec(this.text.slice(lastEnd, close));
      const at = lastEnd + (comma?.[0].length ?? 0);
      const indent = ' '.repeat(columnOf(this.text, firstKey));
      return {
        start: at,
        end: at,
        text: `${comma && earlier === 0 ? '' : ','}${this.style.eol}${indent}${pair}`,
      };
    }
    let at = close;
    while (at > start + 1 && /\s/.test(this.text[at - 1] ?? '')) at -= 1;
    const before = earlier > 0 ? '' : this.text[at - 1];
    return { start: at, end: at, text: before === '{' ? pair : before === ',' ? ` ${pair}` : `, ${pair}` };
  }

  /** A member written without a value (`key:`, `key: null`) gets one: the whole entry is rewritten. */
  private replacePair(map: YAMLMap, pair: Pair, name: string, value: unknown): Omit<TextEdit, 'order'>[] {
    const start = startOf(pair.key);
    const keyEnd = endOf(pair.key);
    if (start === undefined || keyEnd === undefined) throw this.cannot([name], 'an unexpected key');
    const colon = /^[ \t]*:/.exec(this.text.slice(keyEnd, keyEnd + 256));
    const end = isBlank(pair.value) ? keyEnd + (colon?.[0].length ?? 0) : (endOf(pair.value) ?? keyEnd);
    if (map.flow) return [{ start, end, text: this.flowPair(name, value) }];
    const column = columnOf(this.text, start);
    const [first = '', ...rest] = this.blockPair(name, value, column).split(this.style.eol);
    // The entry's first line takes the place of the old one; the lines below it go after the end of
    // that line, so that a comment written there stays on the key's line.
    const edits = [{ start, end, text: first.slice(column) }];
    const below = rest.filter((line) => line !== '');
    if (below.length > 0) {
      const at = this.endOfLine(end);
      const lead = at > 0 && this.text[at - 1] !== '\n' ? this.style.eol : '';
      edits.push({ start: at, end: at, text: lead + below.map((line) => line + this.style.eol).join('') });
    }
    return edits;
  }

  private replaceScalar(range: Node['range'], value: unknown, inFlow: boolean): Omit<TextEdit, 'order'> {
    if (range === undefined || range === null) throw this.cannot([], 'a scalar without position');
    const text = this.#json
      ? inlineJson(value)
      : inFlow
        ? unwrap(stringify([value], this.options('flow')), '[', ']')
        : stringify(value, this.options('block')).replace(/\r?\n$/, '');
    return { start: range[0], end: range[1], text: text.includes('\n') ? JSON.stringify(value) : text };
  }

  /** `name: value` as block YAML, every line indented to `column` and ended by the file's line break. */
  private blockPair(name: string, value: unknown, column: number): string {
    const rendered = stringify(member(name, value), this.options('block'));
    const indent = ' '.repeat(column);
    return rendered
      .replace(/\n$/, '')
      .split('\n')
      .map((line) => (line === '' ? line : indent + line))
      .map((line) => line + this.style.eol)
      .join('');
  }

  private flowPair(name: string, value: unknown): string {
    if (this.#json) return `${JSON.stringify(name)}: ${inlineJson(value)}`;
    return unwrap(stringify(member(name, value), this.options('flow')), '{', '}');
  }

  private options(style: 'block' | 'flow') {
    return {
      version: '1.1' as const,
      // 'any' writes empty collections as {} and [] (its 'block' would put them on a line of their own).
      collectionStyle: style === 'flow' ? ('flow' as const) : ('any' as const),
      indent: this.style.indent,
      indentSeq: this.style.indentSeq,
      lineWidth: 0,
      minContentWidth: 0,
      aliasDuplicateObjects: false,
    };
  }

  /** Where the line after the one that holds the end of a node starts (a node may end with its line break). */
  private endOfLine(end: number): number {
    return end > 0 && this.text[end - 1] === '\n' ? end : this.nextLine(end);
  }

  /** Offset of the line after the one holding `offset` (or the end of the text). */
  private nextLine(offset: number): number {
    const lineBreak = this.text.indexOf('\n', offset);
    return lineBreak === -1 ? this.text.length : lineBreak + 1;
  }
}

function findPair(map: YAMLMap, name: string): Pair | undefined {
  // The last one: kubectl keeps the last of repeated keys.
  for (let i = map.items.length - 1; i >= 0; i--) {
    const pair = map.items[i] as Pair;
    if (isScalar(pair.key) && keyText(pair.key.value) === name) return pair;
  }
  return undefined;
}

/** A map key as kubectl turns it into a JSON member name. */
function keyText(value: unknown): string {
  return value === null ? 'null' : String(value);
}

function isObject(value: unknown): boolean {
  return value !== null && typeof value === 'object';
}

function member(name: string, value: unknown): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  Object.defineProperty(map, name, { value, enumerable: true, writable: true, configurable: true });
  return map;
}

/** JSON on one line, spaced like hand-written JSON: `{ "cpu": "1", "memory": "1Gi" }`, `["login"]`. */
function inlineJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).map(([name, v]) => `${JSON.stringify(name)}: ${inlineJson(v)}`);
    return members.length === 0 ? '{}' : `{ ${members.join(', ')} }`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** `{ a: 1 }` → `a: 1`. */
function unwrap(flow: string, open: string, close: string): string {
  const trimmed = flow.trim();
  return trimmed.startsWith(open) && trimmed.endsWith(close) ? trimmed.slice(1, -1).trim() : trimmed;
}
