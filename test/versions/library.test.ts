import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { lintText } from '../../packages/validator/src/lint-text.js';
import { policyFromText } from '../../packages/validator/src/policy/load-policy.js';
import {
  CONFIGMAP_DEFAULTS,
  OPERATOR_CONFIGURATION_DEFAULTS,
  operatorDefaults,
  POLICY_RELEASES,
} from '../../packages/validator/src/policy/operator-policy.js';
import { builtinSchema } from '../../packages/validator/src/schema/compiled-schema.js';
import {
  CrdSchemaError,
  compileCrdObject,
  compileCrdSchema,
} from '../../packages/validator/src/schema/crd-schema.js';
import type { JsonSchema } from '../../packages/validator/src/schema/json-schema.js';
import {
  SHIPPED_OPERATOR_VERSIONS,
  schemaForOperatorVersion,
  shippedSchemas,
  UnknownOperatorVersionError,
} from '../../packages/validator/src/schema/operator-versions.js';
import { sameVerdicts } from '../../packages/validator/src/schema/same-schema.js';
import { validate } from '../../packages/validator/src/validate.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CRD_V1 = join(ROOT, '..', 'shared', 'reference', 'v1.15.1', 'postgresql.crd.yaml');
const CRD_V2 = join(ROOT, '..', 'shared', 'reference', 'postgresql.crd.yaml');
const referencePresent = existsSync(CRD_V1) && existsSync(CRD_V2);
if (!referencePresent) console.warn(`versions: ${CRD_V1} is missing, so the CRD comparisons are skipped`);

const BASE = {
  apiVersion: 'acid.zalan.do/v1',
  kind: 'postgresql',
  metadata: { name: 'acid-legacy' },
  spec: { teamId: 'acid', numberOfInstances: 1, volume: { size: '1Gi' }, postgresql: { version: '17' } },
};
const withSpec = (spec: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({
  ...BASE,
  ...rest,
  spec: { ...BASE.spec, ...spec },
});
const ids = (findings: { ruleId: string; path: string }[]) => findings.map((f) => `${f.ruleId} ${f.path}`);

describe('operator defaults per release', () => {
  it('knows the releases whose schema ships', () => {
    expect(SHIPPED_OPERATOR_VERSIONS).toEqual(['2.0.1', '1.15.1']);
    expect(POLICY_RELEASES).toEqual(SHIPPED_OPERATOR_VERSIONS);
  });

  it('gives v2.0.1 the defaults the rules use without a configuration', () => {
    expect(operatorDefaults('2.0.1')).toBe(CONFIGMAP_DEFAULTS);
    expect(operatorDefaults('v2.0.1', 'operatorconfiguration')).toBe(OPERATOR_CONFIGURATION_DEFAULTS);
  });

  it('differs for v1.15.1 only where a source shows it', () => {
    for (const path of ['configmap', 'operatorconfiguration'] as const) {
      const v1 = operatorDefaults('1.15.1', path);
      const v2 = path === 'configmap' ? CONFIGMAP_DEFAULTS : OPERATOR_CONFIGURATION_DEFAULTS;
      expect(v1).toBeDefined();
      const changed = Object.keys(v2).filter(
        (key) => JSON.stringify(v1?.[key as keyof typeof v1]) !== JSON.stringify(v2[key as keyof typeof v2]),
      );
      expect(changed.sort()).toEqual(
        [
          'dockerImage',
          'kubernetesUseConfigmaps',
          'minimalMajorVersion',
          'source',
          'targetMajorVersion',
        ].sort(),
      );
      expect(v1).toMatchObject({
        source: `operator v1.15.1 defaults (${path === 'configmap' ? 'ConfigMap' : 'OperatorConfiguration'} path)`,
        path,
        kubernetesUseConfigmaps: false,
        dockerImage: 'ghcr.io/zalando/spilo-17:4.0-p3',
        minimalMajorVersion: '13',
        targetMajorVersion: '17',
        enableTeamIdClusternamePrefix: false,
      });
    }
  });

  it('knows nothing about other releases', () => {
    expect(operatorDefaults('1.14.0')).toBeUndefined();
    expect(operatorDefaults('')).toBeUndefined();
  });
});

describe('reading an operator configuration for a release', () => {
  const configMap = 'kind: ConfigMap\napiVersion: v1\ndata:\n  max_instances: "5"\n';
  const configuration = `apiVersion: acid.zalan.do/v1
kind: OperatorConfiguration
metadata: { name: postgres-operator }
configuration:
  max_instances: 5
  kubernetes: {}
  major_version_upgrade: {}
`;

  it('gives the keys a ConfigMap leaves out the release’s defaults', () => {
    const v1 = policyFromText(configMap, 'cm.yaml', { release: 'v1.15.1' }).policy;
    expect(v1).toMatchObject({
      maxInstances: 5,
      kubernetesUseConfigmaps: false,
      dockerImage: 'ghcr.io/zalando/spilo-17:4.0-p3',
      minimalMajorVersion: '13',
      targetMajorVersion: '17',
      source: 'cm.yaml',
      path: 'configmap',
    });
    const v2 = policyFromText(configMap, 'cm.yaml').policy;
    expect([v2.kubernetesUseConfigmaps, v2.minimalMajorVersion]).toEqual([
      CONFIGMAP_DEFAULTS.kubernetesUseConfigmaps,
      CONFIGMAP_DEFAULTS.minimalMajorVersion,
    ]);
    expect(policyFromText(configMap, 'cm.yaml', { release: '2.0.1' }).policy).toEqual(v2);
  });

  it('does the same on the OperatorConfiguration path, where groups that exist take their defaults', () => {
    const v1 = policyFromText(configuration, 'oc.yaml', { release: '1.15.1' }).policy;
    expect(v1).toMatchObject({
      path: 'operatorconfiguration',
      maxInstances: 5,
      minimalMajorVersion: '13',
      targetMajorVersion: '17',
    });
    expect(policyFromText(configuration, 'oc.yaml').policy.minimalMajorVersion).toBe(
      OPERATOR_CONFIGURATION_DEFAULTS.minimalMajorVersion,
    );
  });

  it('refuses a release it knows no defaults of', () => {
    expect(() => policyFromText(configMap, 'cm.yaml', { release: '1.14.0' })).toThrow(
      /cm\.yaml.*no operator defaults are known for release "1\.14\.0"/,
    );
  });
});

describe('shipped schemas', () => {
  it('loads v1.15.1 precompiled, and names its release', async () => {
    const v1 = await schemaForOperatorVersion('1.15.1');
    expect(v1.operatorVersion).toBe('1.15.1');
    expect(v1.origin).toBe('shipped (operator v1.15.1)');
    expect(v1.supportedVersions).toEqual(['13', '14', '15', '16', '17']);
    expect(await schemaForOperatorVersion('v1.15.1')).toBe(v1);
    expect(await schemaForOperatorVersion('2.0.1')).toBe(builtinSchema());
    expect((await shippedSchemas()).map((s) => s.operatorVersion)).toEqual(['2.0.1', '1.15.1']);
  });

  it('refuses other releases with the list of shipped ones', async () => {
    await expect(schemaForOperatorVersion('2.1.0')).rejects.toBeInstanceOf(UnknownOperatorVersionError);
    await expect(schemaForOperatorVersion('2.1.0')).rejects.toThrow('shipped are 2.0.1, 1.15.1');
  });

  it('judges the v1.15.1 shapes: standby takes exactly one source, status is a map of strings', async () => {
    const v1 = await schemaForOperatorVersion('1.15.1');
    const twoSources = withSpec({ standby: { standby_host: 'acid-source', s3_wal_path: 's3://bucket/wal' } });
    const underV1 = validate(twoSources, { schema: v1 }).filter((f) => f.ruleId.startsWith('schema/'));
    expect(ids(underV1)).toEqual(['schema/invalid spec.standby']);
    expect(underV1[0]?.message).toBe('needs exactly one of: s3_wal_path, gs_wal_path, standby_host');
    expect(ids(validate(twoSources).filter((f) => f.ruleId.startsWith('schema/')))).toEqual([]);

    const status = withSpec({}, { status: { PostgresClusterStatus: 'Running', lastSync: 'today' } });
    expect(ids(validate(status, { schema: v1 }).filter((f) => f.ruleId.startsWith('schema/')))).toEqual([]);
    expect(ids(validate(status).filter((f) => f.ruleId.startsWith('schema/')))).toEqual([
      'schema/unknown-field status.lastSync',
    ]);
  });

  it('leaves v1.15.1 env, sidecars and initContainers free-form, as its API server does', async () => {
    const v1 = await schemaForOperatorVersion('1.15.1');
    const loose = withSpec({
      sidecars: [{ name: 'exporter', image: 'exporter:1', anything: { goes: true } }],
      env: [{ name: 'ALLOW_NOSSL', value: 'true', valueForm: 'typo' }],
      initContainers: null,
    });
    const underV1 = validate(loose, { schema: v1 });
    expect(underV1.filter((f) => f.ruleId.startsWith('schema/') || f.ruleId.startsWith('internal/'))).toEqual(
      [],
    );
    // v2 types them, and its initContainers are not nullable.
    expect(ids(validate(loose).filter((f) => f.ruleId.startsWith('schema/'))).sort()).toEqual([
      'schema/null-field spec.initContainers',
      'schema/unknown-field spec.env[0].valueForm',
      'schema/unknown-field spec.sidecars[0].anything',
    ]);
  });

  it('does not report kind and apiVersion twice when the CRD also requires them', async () => {
    const v1 = await schemaForOperatorVersion('1.15.1');
    const { apiVersion: _dropped, ...noApiVersion } = BASE;
    expect(ids(validate(noApiVersion, { schema: v1 }))).toEqual(['document/api-version apiVersion']);
    expect(ids(validate({ ...BASE, apiVersion: 'acid.zalan.do/v2' }, { schema: v1 }))).toEqual([
      'document/api-version apiVersion',
    ]);
  });
});

describe('sameVerdicts', () => {
  const schema: JsonSchema = {
    type: 'object',
    properties: {
      metadata: { $ref: '#/definitions/ObjectMeta' },
      spec: {
        type: 'object',
        description: 'ours',
        properties: { version: { type: 'string', enum: ['13', '14'] }, teamId: { type: 'string' } },
        required: ['version', 'teamId'],
        additionalProperties: false,
      },
    },
    definitions: { ObjectMeta: { type: 'object', properties: { name: { type: 'string' } } } },
  };
  const upstream: JsonSchema = {
    type: 'object',
    properties: {
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        properties: { teamId: { type: 'string' }, version: { type: 'string', enum: ['13', '14'] } },
        required: ['teamId', 'version'],
        additionalProperties: false,
      },
    },
  };

  it('ignores descriptions, references, the order of required and the root metadata', () => {
    expect(sameVerdicts(schema, upstream)).toBe(true);
  });

  it('tells a different enum order, a missing field or another pattern apart', () => {
    const spec = upstream.properties?.spec as JsonSchema;
    const variant = (change: Partial<JsonSchema>): JsonSchema => ({
      ...upstream,
      properties: { ...upstream.properties, spec: { ...spec, ...change } },
    });
    expect(
      sameVerdicts(
        schema,
        variant({
          properties: { teamId: { type: 'string' }, version: { type: 'string', enum: ['14', '13'] } },
        }),
      ),
    ).toBe(false);
    expect(
      sameVerdicts(schema, variant({ properties: { version: { type: 'string', enum: ['13', '14'] } } })),
    ).toBe(false);
    expect(
      sameVerdicts(
        schema,
        variant({
          properties: {
            teamId: { type: 'string', pattern: '^a' },
            version: { type: 'string', enum: ['13', '14'] },
          },
        }),
      ),
    ).toBe(false);
  });
});

describe.skipIf(!referencePresent)('compileCrdSchema with the operator CRDs', () => {
  it('recognises the CRDs of the shipped releases and uses their precompiled validators', async () => {
    const shipped = await shippedSchemas();
    const v1 = compileCrdSchema(readFileSync(CRD_V1, 'utf8'), 'v1.yaml', shipped);
    expect(v1.operatorVersion).toBe('1.15.1');
    expect(v1.origin).toBe('CRD v1.yaml (that of operator v1.15.1, precompiled)');
    const v2 = compileCrdSchema(readFileSync(CRD_V2, 'utf8'), 'v2.yaml', shipped);
    expect(v2.operatorVersion).toBe('2.0.1');
    expect(v2.navigator).toBe(builtinSchema().navigator);
  });

  it('compiled at run time, the v1.15.1 CRD judges as the precompiled v1.15.1 schema does', async () => {
    const compiled = compileCrdSchema(readFileSync(CRD_V1, 'utf8'), 'v1.yaml');
    expect(compiled.operatorVersion).toBeUndefined();
    expect(compiled.origin).toBe('CRD v1.yaml');
    const shipped = await schemaForOperatorVersion('1.15.1');
    const corpus = [
      withSpec({ postgresql: { version: '13' } }),
      withSpec({ postgresql: { version: 17 }, users: { app: null, bad: ['Superuser'] } }),
      withSpec({ init_containers: [{ name: 'x' }], envFrom: [], volume: { size: '1Gi', type: 'gp3' } }),
      withSpec({ standby: { standby_port: '5432' }, allowedSourceRanges: ['::1/128'] }),
      withSpec({
        tolerations: [{ operator: 'Maybe' }],
        numberOfInstances: -1,
        connectionPooler: { mode: 'x' },
      }),
      withSpec({
        patroni: { ttl: 'long', slots: { s: { type: 'logical' } } },
        resources: { limits: { cpu: '.5' } },
      }),
      withSpec({ volume: { size: '1Gi', selector: { matchExpressions: [{ key: 'a', operator: 'Near' }] } } }),
    ];
    // The same findings; their order follows each schema's property order, which differs.
    const metadataIndependent = (findings: { ruleId: string; path: string; message: string }[]) =>
      findings.map((f) => `${f.ruleId} ${f.path}: ${f.message}`).sort();
    let schemaFindings = 0;
    for (const object of corpus) {
      const runtime = validate(object, { schema: compiled });
      expect(metadataIndependent(runtime)).toEqual(
        metadataIndependent(validate(object, { schema: shipped })),
      );
      schemaFindings += runtime.filter((f) => f.ruleId.startsWith('schema/')).length;
    }
    expect(schemaFindings).toBeGreaterThan(10);
  });

  it('takes a CRD object as the API server returns it, and names it in errors', async () => {
    const crd = load(readFileSync(CRD_V1, 'utf8'));
    const fromCluster = compileCrdObject(crd, 'cluster CRD', await shippedSchemas());
    expect(fromCluster.operatorVersion).toBe('1.15.1');
    expect(() => compileCrdObject({ kind: 'Deployment' }, 'cluster CRD')).toThrow(
      new CrdSchemaError('cluster CRD', 'not a CustomResourceDefinition'),
    );
    expect(() => compileCrdSchema('kind: Deployment\n', 'x.yaml')).toThrow(CrdSchemaError);
  });

  it('lints a whole text with the CRD: the null user kept, with its line', () => {
    const compiled = compileCrdSchema(readFileSync(CRD_V1, 'utf8'), 'v1.yaml');
    const text = `apiVersion: acid.zalan.do/v1
kind: postgresql
metadata:
  name: acid-legacy
spec:
  teamId: acid
  numberOfInstances: 1
  volume: { size: 1Gi }
  users:
    app:
  postgresql: { version: "13" }
`;
    const result = lintText(text, { schema: compiled });
    expect(result.errors).toBe(0);
    expect(result.findings.map((f) => [f.ruleId, f.severity, f.location.line, f.location.column])).toEqual([
      ['schema/null-field', 'warning', 10, 5],
    ]);
  });
});
