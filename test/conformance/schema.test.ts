import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { inlineRefs, type StructuralSchema } from '../../packages/validator/src/schema/structural-schema.js';
import { loadSchemaDocument } from '../../schema/load.js';
import { compareSchemas, type Difference, fieldPaths } from '../support/schema-compare.js';

/**
 * Our hand-written schemas (schema/*.yaml) against the operator's own CRDs: the same field paths and,
 * on every path, the same constraints and markers. Descriptions are ours and are not compared.
 */

/** The operator release whose CRDs the reference folder holds and schema/ is pinned to. */
const OPERATOR_VERSION = '2.0.1';

type ResourceName = 'postgresql' | 'postgresteam';

interface AllowedDifference {
  resource: ResourceName;
  /** Field paths strictly below this one may exist in our schema only. */
  subtree: string;
  reason: string;
}

/** The deliberate differences. Each entry must still be needed, or the suite fails. */
// biome-ignore lint/suspicious/noExportsInTest: the allow-list is the documented record of where schema/ differs from upstream
export const ALLOWED_DIFFERENCES: readonly AllowedDifference[] = [
  {
    resource: 'postgresql',
    subtree: 'metadata',
    reason:
      'upstream metadata is a bare object (the API server validates ObjectMeta itself); ' +
      'we spell out ObjectMeta so that offline linting catches misspelt metadata fields',
  },
  {
    resource: 'postgresteam',
    subtree: 'metadata',
    reason: 'as for postgresql: ObjectMeta spelled out instead of a bare object',
  },
];

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const REFERENCE_DIR = join(REPO_ROOT, '..', 'shared', 'reference');
const referencePresent = existsSync(REFERENCE_DIR);
if (!referencePresent) {
  console.warn(
    `schema conformance: upstream reference folder ${REFERENCE_DIR} is missing, so the conformance suite is skipped`,
  );
}

const RESOURCES: readonly { name: ResourceName; crdFile: string }[] = [
  { name: 'postgresql', crdFile: 'postgresql.crd.yaml' },
  { name: 'postgresteam', crdFile: 'postgresteam.crd.yaml' },
];

interface Crd {
  spec: {
    group: string;
    names: { kind: string; plural: string };
    versions: { name: string; schema: { openAPIV3Schema: StructuralSchema } }[];
  };
}

function readCrd(file: string): { crd: Crd; version: Crd['spec']['versions'][number] } {
  const crd = load(readFileSync(join(REFERENCE_DIR, file), 'utf8')) as Crd;
  const [version, ...others] = crd.spec.versions;
  if (version === undefined || others.length > 0) throw new Error(`${file}: expected exactly one version`);
  return { crd, version };
}

// ------------------------------------------------------------------------------------- comparison

/** Drops the allowed differences; reports allow-list entries that no longer match anything. */
function applyAllowList(
  resource: ResourceName,
  differences: Difference[],
  allowList: readonly AllowedDifference[],
): string[] {
  const entries = allowList.filter((entry) => entry.resource === resource);
  const used = new Set<AllowedDifference>();
  const remaining: string[] = [];
  for (const difference of differences) {
    const entry = entries.find(
      (e) => difference.kind === 'only-ours' && difference.path.startsWith(`${e.subtree}.`),
    );
    if (entry) used.add(entry);
    else remaining.push(`${difference.path}: ${difference.detail}`);
  }
  for (const entry of entries) {
    if (!used.has(entry))
      remaining.push(`allow-list entry "${entry.subtree}" is no longer needed: remove it`);
  }
  return remaining;
}

// ------------------------------------------------------------------------------------- the suites

describe('schema comparison', () => {
  const upstream: StructuralSchema = {
    type: 'object',
    properties: {
      size: { type: 'string', pattern: '^\\d+$' },
      flags: {
        type: 'array',
        items: { type: 'string', enum: ['a', 'b'] },
        'x-kubernetes-list-type': 'atomic',
      },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
    },
    required: ['size', 'flags'],
  };

  it('finds no difference in equal schemas, ignoring descriptions and the order of required', () => {
    const ours: StructuralSchema = {
      ...upstream,
      description: 'ours',
      required: ['flags', 'size'],
    };
    expect(compareSchemas(ours, upstream)).toEqual([]);
  });

  it('reports every kind of difference at once', () => {
    const ours: StructuralSchema = {
      type: 'object',
      properties: {
        size: { type: 'string', pattern: '^\\d+Gi$' },
        flags: { type: 'array', items: { type: 'string', enum: ['b', 'a'] } },
        extra: { type: 'boolean' },
      },
      required: ['size'],
    };
    expect(
      compareSchemas(ours, upstream)
        .map((d) => `${d.path}: ${d.detail}`)
        .sort(),
    ).toEqual([
      '<root>: required: ours ["size"], upstream ["size","flags"]',
      'extra: field only in ours',
      'flags: x-kubernetes-list-type: ours (absent), upstream "atomic"',
      'flags[]: enum: ours ["b","a"], upstream ["a","b"]',
      'labels: field missing in ours',
      'labels{}: field missing in ours',
      'size: pattern: ours "^\\\\d+Gi$", upstream "^\\\\d+$"',
    ]);
  });

  it('allows only listed subtrees, and flags allow-list entries that match nothing', () => {
    const differences: Difference[] = [
      { path: 'metadata.name', kind: 'only-ours', detail: 'field only in ours' },
      { path: 'metadata', kind: 'keyword', detail: 'type: ours "object", upstream "string"' },
    ];
    const allowList: AllowedDifference[] = [
      { resource: 'postgresql', subtree: 'metadata', reason: 'test' },
      { resource: 'postgresql', subtree: 'status', reason: 'test' },
    ];
    expect(applyAllowList('postgresql', differences, allowList)).toEqual([
      'metadata: type: ours "object", upstream "string"',
      'allow-list entry "status" is no longer needed: remove it',
    ]);
  });
});

describe.skipIf(!referencePresent)(`schema/ conforms to the operator v${OPERATOR_VERSION} CRDs`, () => {
  for (const { name, crdFile } of RESOURCES) {
    describe(name, () => {
      it('names the same resource as the CRD', () => {
        const { crd, version } = readCrd(crdFile);
        const ours = loadSchemaDocument(name).resource;
        expect({ group: ours.group, version: ours.version, kind: ours.kind, plural: ours.plural }).toEqual({
          group: crd.spec.group,
          version: version.name,
          kind: crd.spec.names.kind,
          plural: crd.spec.names.plural,
        });
        expect(ours.operatorVersion).toBe(OPERATOR_VERSION);
      });

      it('has the same field paths, constraints and markers (apart from the allow-list)', () => {
        const upstream = readCrd(crdFile).version.schema.openAPIV3Schema;
        const ours = inlineRefs(loadSchemaDocument(name));
        const mismatches = applyAllowList(name, compareSchemas(ours, upstream), ALLOWED_DIFFERENCES);
        expect(mismatches).toEqual([]);
        // Not vacuous: the walk saw the whole upstream tree.
        expect(fieldPaths(upstream).size).toBeGreaterThan(name === 'postgresql' ? 500 : 5);
      });
    });
  }

  it('pins spec.postgresql.version to the supported majors 14 to 18', () => {
    const ours = fieldPaths(inlineRefs(loadSchemaDocument('postgresql'))).get('spec.postgresql.version');
    const upstream = fieldPaths(readCrd('postgresql.crd.yaml').version.schema.openAPIV3Schema).get(
      'spec.postgresql.version',
    );
    expect(ours?.enum).toEqual(['14', '15', '16', '17', '18']);
    expect(upstream?.enum).toEqual(['14', '15', '16', '17', '18']);
  });
});
