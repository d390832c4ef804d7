import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { inlineRefs, type StructuralSchema } from '../../packages/validator/src/schema/structural-schema.js';
import { loadSchemaDocument } from '../../schema/load.js';
import { compareSchemas, fieldPaths } from '../support/schema-compare.js';

/**
 * schema/postgresql-v1.15.1.yaml against the CRD of operator v1.15.1 (the last hand-written one): the
 * same field paths and, on every path, the same constraints and markers. Descriptions are ours.
 */

const OPERATOR_VERSION = '1.15.1';
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CRD_FILE = join(REPO_ROOT, '..', 'shared', 'reference', `v${OPERATOR_VERSION}`, 'postgresql.crd.yaml');
const present = existsSync(CRD_FILE);
if (!present) {
  console.warn(`schema conformance v${OPERATOR_VERSION}: ${CRD_FILE} is missing, so the suite is skipped`);
}

interface Crd {
  spec: {
    group: string;
    names: { kind: string; plural: string };
    versions: { name: string; schema: { openAPIV3Schema: StructuralSchema } }[];
  };
}

function readCrd(): { crd: Crd; schema: StructuralSchema; version: string } {
  const crd = load(readFileSync(CRD_FILE, 'utf8')) as Crd;
  const [version, ...others] = crd.spec.versions;
  if (version === undefined || others.length > 0)
    throw new Error(`${CRD_FILE}: expected exactly one version`);
  return { crd, schema: version.schema.openAPIV3Schema, version: version.name };
}

/**
 * The one deliberate difference: upstream v1.15.1 does not declare `metadata` at all (the API server
 * always keeps it and checks it itself); ours spells out ObjectMeta, as for v2.0.1, so that a misspelt
 * metadata field is caught offline.
 */
const OURS_ONLY_SUBTREE = 'metadata';

describe.skipIf(!present)(
  `schema/postgresql-v${OPERATOR_VERSION}.yaml conforms to the operator's CRD`,
  () => {
    it('names the same resource and operator version', () => {
      const { crd, version } = readCrd();
      const ours = loadSchemaDocument(`postgresql-v${OPERATOR_VERSION}`).resource;
      expect({ group: ours.group, version: ours.version, kind: ours.kind, plural: ours.plural }).toEqual({
        group: crd.spec.group,
        version,
        kind: crd.spec.names.kind,
        plural: crd.spec.names.plural,
      });
      expect(ours.operatorVersion).toBe(OPERATOR_VERSION);
    });

    it('has the same field paths, constraints and markers, apart from metadata', () => {
      const upstream = readCrd().schema;
      const ours = inlineRefs(loadSchemaDocument(`postgresql-v${OPERATOR_VERSION}`));
      const differences = compareSchemas(ours, upstream);
      const mismatches = differences
        .filter(
          (d) =>
            !(
              d.kind === 'only-ours' &&
              (d.path === OURS_ONLY_SUBTREE || d.path.startsWith(`${OURS_ONLY_SUBTREE}.`))
            ),
        )
        .map((d) => `${d.path}: ${d.detail}`);
      expect(mismatches).toEqual([]);
      // The allowed difference is still needed, and the walk saw the whole upstream tree.
      expect(differences.some((d) => d.path === OURS_ONLY_SUBTREE)).toBe(true);
      expect(fieldPaths(upstream).size).toBeGreaterThan(200);
    });

    it('pins the v1.15.1 specifics: PostgreSQL 13 to 17, nullable user flags, free-form containers', () => {
      const paths = fieldPaths(inlineRefs(loadSchemaDocument(`postgresql-v${OPERATOR_VERSION}`)));
      expect(paths.get('spec.postgresql.version')?.enum).toEqual(['13', '14', '15', '16', '17']);
      expect(paths.get('spec.users{}')?.nullable).toBe(true);
      for (const list of ['spec.env[]', 'spec.initContainers[]', 'spec.sidecars[]'])
        expect(paths.get(list)?.['x-kubernetes-preserve-unknown-fields'], list).toBe(true);
      expect(paths.has('spec.envFrom')).toBe(false);
      expect(paths.has('spec.init_containers')).toBe(true);
    });
  },
);
