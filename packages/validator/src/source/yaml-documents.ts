import {
  constructFromEvents,
  EVENT_ID,
  type Event,
  getScalarValue,
  parseEvents,
  SCALAR_STYLE,
  YAMLException,
} from 'js-yaml';
import { parseFieldPath } from '../field-path.js';
import { KUBECTL_SCHEMA, resolveKubectlScalar } from './kubectl-scalars.js';

/** A 0-based, end-exclusive range of offsets in the file's text. */
export interface Span {
  start: number;
  end: number;
}

/** A problem with the YAML itself, found before any schema or rule runs. */
export interface YamlProblem {
  ruleId: 'yaml/syntax' | 'yaml/duplicate-key' | 'yaml/alias-expansion';
  /** Segments of the field path where known (`['spec', 'users']`), else empty. */
  segments: string[];
  message: string;
  hint?: string;
  span: Span;
}

/** One YAML document of a file, parsed the way kubectl reads it, with lazy positions. */
export interface SourceDocument {
  /** 0-based index among the file's non-empty documents. */
  index: number;
  /** The value as kubectl would send it; `undefined` when the document could not be read. */
  value: unknown;
  /** Where the document starts in the file. */
  span: Span;
  problems: YamlProblem[];
  /**
   * Where the node at a field path is (`on: 'key'` for its map key); for a path that does not exist,
   * the nearest existing ancestor.
   */
  locate(path: string, on?: 'key' | 'value'): Span;
}

/** Limits that keep a hostile file from hanging or exhausting the process. */
export const YAML_LIMITS = {
  /** Nesting of collections; Kubernetes manifests stay under 20. */
  maxDepth: 200,
  /** Nodes after alias expansion, per document, at least this many... */
  minExpandedNodes: 10_000,
  /** ...or this many times the document's own node count. */
  maxExpansionRatio: 20,
};

const { DOCUMENT, SEQUENCE, MAPPING, SCALAR, ALIAS, POP } = EVENT_ID;

/** Parses every document of a YAML (or JSON) text. Never throws for bad input. */
export function parseYamlDocuments(text: string): SourceDocument[] {
  let events: Event[];
  try {
    events = parseEvents(text, { maxDepth: YAML_LIMITS.maxDepth });
  } catch {
    return parseChunkByChunk(text);
  }
  const documents: SourceDocument[] = [];
  collectDocuments(events, text, 0, documents);
  return documents;
}

/** After a syntax error: parse each `---`-separated chunk on its own so that one bad document costs only itself. */
function parseChunkByChunk(text: string): SourceDocument[] {
  const documents: SourceDocument[] = [];
  const marker = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm;
  const cuts = [0];
  for (let m = marker.exec(text); m !== null; m = marker.exec(text)) if (m.index > 0) cuts.push(m.index);
  cuts.push(text.length);
  for (let c = 0; c + 1 < cuts.length; c++) {
    const base = cuts[c] as number;
    const chunk = text.slice(base, cuts[c + 1]);
    let events: Event[];
    try {
      events = parseEvents(chunk, { maxDepth: YAML_LIMITS.maxDepth });
    } catch (error) {
      documents.push(brokenDocument(documents.length, syntaxProblem(error, base + errorOffset(error))));
      continue;
    }
    collectDocuments(events, chunk, base, documents);
  }
  return documents;
}

function collectDocuments(events: Event[], source: string, base: number, out: SourceDocument[]): void {
  let i = 0;
  while (i < events.length) {
    const event = events[i] as Event;
    if (event.type !== DOCUMENT) {
      i += 1;
      continue;
    }
    const root = i + 1;
    const end = root < events.length && events[root]?.type !== POP ? skipNode(events, root) : root;
    const slice = events.slice(i, end + 1);
    i = end + 1;
    if (root === end || isEmptyScalar(events[root] as Event)) continue; // empty document
    out.push(buildDocument(out.length, slice, source, base));
  }
}

function isEmptyScalar(event: Event): boolean {
  return (
    event.type === SCALAR &&
    event.valueStart === event.valueEnd &&
    event.style === SCALAR_STYLE.PLAIN &&
    event.tagStart < 0 &&
    event.anchorStart < 0
  );
}

function buildDocument(index: number, events: Event[], source: string, base: number): SourceDocument {
  const problems: YamlProblem[] = [];
  const locator = new EventLocator(events, source, base);
  let value: unknown;
  try {
    value = constructFromEvents(events, { source, schema: KUBECTL_SCHEMA })[0];
  } catch (error) {
    if (!(error instanceof YAMLException) || !/duplicate/i.test(error.reason)) {
      return brokenDocument(index, syntaxProblem(error, base + errorOffset(error)));
    }
    problems.push(...locator.duplicateKeys());
    // kubectl keeps the last value of a repeated key: judge what the cluster would get.
    try {
      value = constructFromEvents(events, { source, schema: KUBECTL_SCHEMA, json: true })[0];
    } catch (again) {
      const broken = brokenDocument(index, syntaxProblem(again, base + errorOffset(again)));
      return { ...broken, problems: [...problems, ...broken.problems] };
    }
  }
  if (events.some((e) => e.type === ALIAS)) {
    const nodes = events.filter((e) => e.type !== POP && e.type !== DOCUMENT).length;
    const limit = Math.max(YAML_LIMITS.minExpandedNodes, nodes * YAML_LIMITS.maxExpansionRatio);
    if (expandedSize(value, limit) > limit) {
      problems.push({
        ruleId: 'yaml/alias-expansion',
        segments: [],
        message: `aliases expand this document to more than ${limit} nodes (from ${nodes} written); it is not read further`,
        hint: 'write the values out instead of nesting aliases',
        span: locator.rootSpan(),
      });
      value = undefined;
    }
  }
  return {
    index,
    value,
    span: locator.rootSpan(),
    problems,
    locate: (path, on = 'value') => locator.locate(path, on),
  };
}

function brokenDocument(index: number, problem: YamlProblem): SourceDocument {
  return {
    index,
    value: undefined,
    span: problem.span,
    problems: [problem],
    locate: () => problem.span,
  };
}

function errorOffset(error: unknown): number {
  return error instanceof YAMLException && error.mark ? error.mark.position : 0;
}

function syntaxProblem(error: unknown, offset: number): YamlProblem {
  const reason = error instanceof YAMLException ? error.reason : String(error);
  const depth = /depth|nest/i.test(reason);
  return {
    ruleId: 'yaml/syntax',
    segments: [],
    message: depth
      ? `YAML nesting deeper than ${YAML_LIMITS.maxDepth} levels; the document is not read further`
      : `YAML syntax error: ${reason}`,
    span: { start: offset, end: offset + 1 },
  };
}

/** Size of a value with aliases expanded, counting shared objects once per reference; stops at `limit`. */
function expandedSize(value: unknown, limit: number): number {
  const memo = new Map<object, number>();
  const size = (v: unknown): number => {
    if (v === null || typeof v !== 'object') return 1;
    const known = memo.get(v);
    if (known !== undefined) return known;
    memo.set(v, limit + 1); // a cycle counts as unbounded
    let total = 1;
    for (const child of Object.values(v)) {
      total += size(child);
      if (total > limit) break;
    }
    memo.set(v, total);
    return total;
  };
  return size(value);
}

/** Index just after the node that starts at `i`. */
function skipNode(events: Event[], i: number): number {
  const type = events[i]?.type;
  if (type !== SEQUENCE && type !== MAPPING) return i + 1;
  let depth = 0;
  let j = i;
  do {
    const t = events[j]?.type;
    if (t === SEQUENCE || t === MAPPING) depth += 1;
    else if (t === POP) depth -= 1;
    j += 1;
  } while (depth > 0 && j < events.length);
  return j;
}

/** Finds field paths in a document's event stream, only when a finding asks for a position. */
class EventLocator {
  constructor(
    private readonly events: Event[],
    private readonly source: string,
    private readonly base: number,
  ) {}

  rootSpan(): Span {
    return this.span(1);
  }

  locate(path: string, on: 'key' | 'value'): Span {
    let node = 1;
    let keyNode = -1;
    for (const segment of parseFieldPath(path)) {
      const found = this.child(node, segment);
      if (found === undefined) {
        // A missing field: the mapping that should hold it, from its key on.
        const parent = this.span(node, keyNode);
        return keyNode >= 0 ? { start: this.span(keyNode).start, end: parent.end } : parent;
      }
      [keyNode, node] = found;
    }
    return on === 'key' && keyNode >= 0 ? this.span(keyNode) : this.span(node, keyNode);
  }

  /** [key event, value event] of a mapping entry or [-1, item event] of a sequence item. */
  private child(node: number, segment: string): [number, number] | undefined {
    const event = this.events[node];
    if (event?.type === MAPPING) {
      let j = node + 1;
      while (j < this.events.length && this.events[j]?.type !== POP) {
        const valueAt = skipNode(this.events, j);
        if (this.keyText(j) === segment) return [j, valueAt];
        j = skipNode(this.events, valueAt);
      }
      return undefined;
    }
    if (event?.type === SEQUENCE && /^\d+$/.test(segment)) {
      let j = node + 1;
      for (let n = Number(segment); n > 0 && this.events[j]?.type !== POP; n--) j = skipNode(this.events, j);
      return j < this.events.length && this.events[j]?.type !== POP ? [-1, j] : undefined;
    }
    return undefined;
  }

  private keyText(at: number): string | undefined {
    const event = this.events[at];
    if (event?.type !== SCALAR) return undefined;
    const text = getScalarValue(this.source, event);
    if (event.style !== SCALAR_STYLE.PLAIN || event.tagStart >= 0) return text;
    const value = resolveKubectlScalar(text);
    return value === null ? 'null' : String(value);
  }

  /** Span of the node at `at`; a missing or empty value falls back to its key. */
  private span(at: number, keyAt = -1): Span {
    const event = this.events[at];
    const base = this.base;
    if (event === undefined) return { start: base, end: base };
    switch (event.type) {
      case SCALAR: {
        let { valueStart: start, valueEnd: end } = event;
        if (event.style === SCALAR_STYLE.SINGLE_QUOTED || event.style === SCALAR_STYLE.DOUBLE_QUOTED) {
          start -= 1;
          end += 1;
        }
        if (start === end && keyAt >= 0) return this.span(keyAt);
        if (event.anchorStart >= 0) start = Math.min(start, event.anchorStart - 1);
        return { start: base + start, end: base + end };
      }
      case ALIAS:
        return { start: base + event.anchorStart - 1, end: base + event.anchorEnd };
      case SEQUENCE:
      case MAPPING: {
        let end = event.start + 1;
        const stop = skipNode(this.events, at);
        for (let j = at + 1; j < stop; j++) {
          const inner = this.events[j];
          if (inner?.type === SCALAR) end = Math.max(end, inner.valueEnd + (inner.style >= 2 ? 1 : 0));
        }
        // Closing brackets of flow collections that end here belong to the node.
        for (let m = /^[ \t]*[\]}]/.exec(this.source.slice(end, end + 64)); m; ) {
          end += m[0].length;
          m = /^[ \t]*[\]}]/.exec(this.source.slice(end, end + 64));
        }
        if (event.style === 2 && end === event.start + 1) end = event.start + 2;
        return { start: base + event.start, end: base + end };
      }
      default:
        return { start: base, end: base };
    }
  }

  duplicateKeys(): YamlProblem[] {
    const problems: YamlProblem[] = [];
    const walk = (at: number, path: string[]): void => {
      const event = this.events[at];
      if (event?.type === SEQUENCE) {
        let j = at + 1;
        for (let n = 0; j < this.events.length && this.events[j]?.type !== POP; n++) {
          walk(j, [...path, String(n)]);
          j = skipNode(this.events, j);
        }
      }
      if (event?.type !== MAPPING) return;
      const seen = new Set<string>();
      let j = at + 1;
      while (j < this.events.length && this.events[j]?.type !== POP) {
        const text = this.keyText(j);
        const valueAt = skipNode(this.events, j);
        if (text !== undefined && text !== '<<') {
          const childPath = [...path, text];
          if (seen.has(text)) {
            problems.push({
              ruleId: 'yaml/duplicate-key',
              segments: childPath,
              message: `duplicate key "${text}": kubectl keeps only the last value, the earlier one is lost`,
              hint: 'keep one entry and merge what both say',
              span: this.span(j),
            });
          }
          seen.add(text);
          walk(valueAt, childPath);
        }
        j = skipNode(this.events, valueAt);
      }
    };
    walk(1, []);
    return problems;
  }
}
