import { Ajv } from 'ajv';
import { objectsOfDocument } from '../source/document-objects.js';
import { parseYamlDocuments } from '../source/yaml-documents.js';
import { AJV_OPTIONS } from './ajv-options.js';
import { type CompiledSchema, compiledSchema } from './compiled-schema.js';
import { Re2TranslationError } from './re2-pattern.js';
import { sameVerdicts } from './same-schema.js';
import type { StructuralSchema } from './structural-schema.js';
import { celRulesOf, toJsonSchema } from './to-json-schema.js';

/**
 * `--crd FILE`: the `postgresql` CustomResourceDefinition a cluster really runs (as
 * `kubectl get crd postgresqls.acid.zalan.do -o yaml` prints it), compiled at run time with the same
 * conversion `npm run generate` uses for the built-in schema. This module brings ajv's compiler, so it
 * is loaded only when a CRD is given.
 */

const GROUP = 'acid.zalan.do';
const PLURAL = 'postgresqls';
const VERSION = 'v1';
const CRD_KIND = 'CustomResourceDefinition';
const CRD_API_VERSIONS = ['apiextensions.k8s.io/v1', 'apiextensions.k8s.io/v1beta1'];

/** A CRD that cannot serve as the schema; the message names the file and what to do. */
export class CrdSchemaError extends Error {
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'CrdSchemaError';
  }
}

type Json = Record<string, unknown>;

function isMap(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const segment of path) current = isMap(current) ? current[segment] : undefined;
  return current;
}

/** The postgresql CRD among the documents of a text (a List, a multi-document file, one object). */
function findCrd(text: string, file: string): Json {
  const objects: unknown[] = [];
  let syntaxError: string | undefined;
  for (const doc of parseYamlDocuments(text)) {
    if (doc.value === undefined) syntaxError ??= doc.problems[0]?.message;
    for (const { value } of objectsOfDocument(doc)) objects.push(value);
  }
  const crds = objects.filter((o): o is Json => isMap(o) && o.kind === CRD_KIND);
  if (crds.length === 0) {
    const kinds = objects.map((o) => at(o, 'kind')).filter((k): k is string => typeof k === 'string');
    const found =
      syntaxError !== undefined
        ? `it cannot be read (${syntaxError})`
        : kinds.length > 0
          ? `it holds ${[...new Set(kinds)].join(', ')}`
          : 'it holds no Kubernetes object';
    throw new CrdSchemaError(
      file,
      `not a CustomResourceDefinition: ${found}; give the output of kubectl get crd ${PLURAL}.${GROUP} -o yaml`,
    );
  }
  const crd = crds.find(isPostgresqlCrd);
  if (crd === undefined) {
    throw new CrdSchemaError(
      file,
      `holds no CustomResourceDefinition of ${PLURAL}.${GROUP} (found ${crds.map(crdName).join(', ')})`,
    );
  }
  return crd;
}

function isPostgresqlCrd(crd: unknown): boolean {
  return at(crd, 'spec', 'group') === GROUP && at(crd, 'spec', 'names', 'plural') === PLURAL;
}

function crdName(crd: unknown): string {
  const plural = at(crd, 'spec', 'names', 'plural');
  const group = at(crd, 'spec', 'group');
  return `${typeof plural === 'string' ? plural : '?'}.${typeof group === 'string' ? group : '?'}`;
}

/**
 * The `openAPIV3Schema` that validates `acid.zalan.do/v1` objects: that of `spec.versions[]` named v1,
 * or the CRD-wide `spec.validation` of apiextensions v1beta1. `source` names the CRD in errors.
 */
export function postgresqlSchemaOfCrd(crd: unknown, source: string): StructuralSchema {
  if (!isMap(crd) || crd.kind !== CRD_KIND) {
    throw new CrdSchemaError(source, 'not a CustomResourceDefinition');
  }
  if (!isPostgresqlCrd(crd)) {
    throw new CrdSchemaError(source, `the CRD of ${crdName(crd)}, not of ${PLURAL}.${GROUP}`);
  }
  if (!CRD_API_VERSIONS.includes(String(crd.apiVersion))) {
    throw new CrdSchemaError(
      source,
      `apiVersion ${JSON.stringify(crd.apiVersion)} is not a CustomResourceDefinition version (${CRD_API_VERSIONS.join(', ')})`,
    );
  }
  const versions = at(crd, 'spec', 'versions');
  let schema: unknown;
  if (Array.isArray(versions) && versions.length > 0) {
    const v1 = versions.find((v) => at(v, 'name') === VERSION);
    if (v1 === undefined) {
      const names = versions.map((v) => String(at(v, 'name')));
      throw new CrdSchemaError(
        source,
        `the CRD has no version ${VERSION} (it has ${names.join(', ')}); postgresql manifests are ${GROUP}/${VERSION}`,
      );
    }
    if (at(v1, 'served') === false) {
      throw new CrdSchemaError(
        source,
        `version ${VERSION} is not served by this CRD, so no manifest is accepted`,
      );
    }
    schema = at(v1, 'schema', 'openAPIV3Schema');
  }
  schema ??= at(crd, 'spec', 'validation', 'openAPIV3Schema');
  if (!isMap(schema)) {
    throw new CrdSchemaError(
      source,
      `the CRD has no openAPIV3Schema for ${VERSION}: the API server would accept anything, there is nothing to judge with`,
    );
  }
  return schema as StructuralSchema;
}

/** The field paths whose `pattern` is this one (`spec.volume.size`, `spec.users{}[]`). */
function pathsOfPattern(root: StructuralSchema, pattern: string): string[] {
  const found: string[] = [];
  const visit = (node: StructuralSchema, path: string, depth: number): void => {
    if (depth > 100) return;
    if (node.pattern === pattern) found.push(path || '<root>');
    for (const [name, child] of Object.entries(node.properties ?? {}))
      visit(child, path ? `${path}.${name}` : name, depth + 1);
    if (node.items) visit(node.items, `${path}[]`, depth + 1);
    if (typeof node.additionalProperties === 'object')
      visit(node.additionalProperties, `${path}{}`, depth + 1);
  };
  visit(root, '', 0);
  return found;
}

/**
 * Compiles the CRD in a file's text (YAML or JSON, as kubectl prints it); every reason it cannot serve
 * is a `CrdSchemaError` naming the file. When the CRD says exactly what one of `shipped` says (the
 * operator's own CRD of a release we ship), that precompiled validator is used and nothing is compiled.
 */
export function compileCrdSchema(
  text: string,
  file: string,
  shipped: readonly CompiledSchema[] = [],
): CompiledSchema {
  return compileCrdObject(findCrd(text, file), file, shipped);
}

/** `compileCrdSchema` for a CRD object already read (e.g. from the API server); `source` names it. */
export function compileCrdObject(
  crd: unknown,
  source: string,
  shipped: readonly CompiledSchema[] = [],
): CompiledSchema {
  const schema = postgresqlSchemaOfCrd(crd, source);
  const cel = celRulesOf(schema);
  if (cel.length > 0) {
    throw new CrdSchemaError(
      source,
      `the CRD has CEL validation rules (x-kubernetes-validations at ${cel.join(', ')}), which acid-guard cannot evaluate: it would pass manifests the API server refuses`,
    );
  }
  let json: ReturnType<typeof toJsonSchema>;
  try {
    json = toJsonSchema(schema, {}, { title: `postgresql (CRD ${source})` });
  } catch (error) {
    if (error instanceof Re2TranslationError) {
      const where = pathsOfPattern(schema, error.pattern);
      throw new CrdSchemaError(source, `${where.length > 0 ? `${where.join(', ')}: ` : ''}${error.message}`);
    }
    throw new CrdSchemaError(source, `cannot convert the CRD's schema: ${(error as Error).message}`);
  }
  const same = shipped.find((candidate) => sameVerdicts(json, candidate.json));
  if (same !== undefined) {
    const release = same.operatorVersion === undefined ? same.origin : `operator v${same.operatorVersion}`;
    return { ...same, origin: `CRD ${source} (that of ${release}, precompiled)` };
  }
  let validate: ReturnType<Ajv['compile']>;
  try {
    // Unoptimised code compiles in about half the time, which is most of a run with --crd.
    validate = new Ajv({ ...AJV_OPTIONS, code: { ...AJV_OPTIONS.code, optimize: false } }).compile(json);
  } catch (error) {
    throw new CrdSchemaError(source, `the CRD's schema cannot be compiled: ${(error as Error).message}`);
  }
  return compiledSchema(json, validate, `CRD ${source}`);
}
