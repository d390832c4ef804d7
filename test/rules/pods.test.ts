import { describe, expect, it } from 'vitest';
import type { Finding } from '../../packages/validator/src/finding.js';
import { type OperatorPolicy, policyWith } from '../../packages/validator/src/policy/operator-policy.js';
import { exampleManifest } from '../../packages/validator/src/rules/example-manifest.js';
import { validate } from '../../packages/validator/src/validate.js';

/** Findings for the example manifest with a fragment merged in (written as an object: no YAML quoting games). */
function check(fragment: Record<string, unknown>, policy: Partial<OperatorPolicy> = {}): Finding[] {
  return validate(exampleManifest(JSON.stringify(fragment)), { policy: policyWith(policy) });
}

function of(ruleId: string, findings: Finding[]): Finding[] {
  return findings.filter((f) => f.ruleId === ruleId);
}

function paths(ruleId: string, findings: Finding[]): string[] {
  return of(ruleId, findings).map((f) => f.path);
}

const IGNORE_LIMITS = 'acid.zalan.do/ignore-limits';

describe('resources/unparseable-quantity', () => {
  const rule = 'resources/unparseable-quantity';

  it('reports what the CRD pattern admits but Kubernetes refuses, in every operator resources block', () => {
    const findings = check({
      spec: {
        resources: { limits: { memory: '500K' } },
        sidecars: [{ name: 'exporter', image: 'busybox', resources: { requests: { memory: '1e3Gi' } } }],
        connectionPooler: { resources: { limits: { 'hugepages-2Mi': '2K' } } },
      },
    });
    expect(paths(rule, findings)).toEqual([
      'spec.resources.limits.memory',
      'spec.sidecars[0].resources.requests.memory',
      'spec.connectionPooler.resources.limits.hugepages-2Mi',
    ]);
    const [postgres, sidecar, pooler] = of(rule, findings);
    expect(postgres?.message).toMatch(/^could not parse memory quantity: unable to parse quantity's suffix/);
    expect(postgres?.hint).toContain('500Ki');
    expect(sidecar?.message).toContain('exporter container');
    expect(sidecar?.hint).toContain('write 1000Gi');
    expect(pooler?.message).toMatch(/^could not parse hugepages-2Mi quantity/);
    expect(pooler?.message).toContain('pooler Deployment');
  });

  it('leaves values the CRD pattern refuses to the schema check', () => {
    const findings = check({ spec: { resources: { limits: { cpu: '1.2345', memory: '1.5Gb' } } } });
    expect(of(rule, findings)).toEqual([]);
    expect(findings.some((f) => f.path === 'spec.resources.limits.cpu')).toBe(true);
  });

  it('does not parse "0", which the operator replaces by its default', () => {
    expect(of(rule, check({ spec: { resources: { limits: { cpu: '0', memory: '0' } } } }))).toEqual([]);
  });

  it('checks stream and init container quantities too', () => {
    const findings = check({
      spec: {
        streams: [
          { applicationId: 'app', database: 'foo', tables: { 'data.t': { eventType: 'e' } }, memory: '4K' },
        ],
        initContainers: [
          { name: 'init', image: 'busybox', resources: { limits: { cpu: '1e1.5', memory: 1 } } },
        ],
      },
    });
    expect(paths(rule, findings)).toEqual([
      'spec.initContainers[0].resources.limits.cpu',
      'spec.streams[0].memory',
    ]);
    expect(of(rule, findings)[0]?.message).toContain('API server refuses');
    expect(of(rule, findings)[1]?.message).toContain('FES_MEMORY');
  });
});

describe('resources/request-above-limit', () => {
  const rule = 'resources/request-above-limit';

  it('compares exactly: equal amounts in different units are fine', () => {
    const equal = { requests: { cpu: '500m', memory: '1536Mi' }, limits: { cpu: '0.5', memory: '1.5Gi' } };
    expect(of(rule, check({ spec: { resources: equal } }))).toEqual([]);
    const above = { requests: { memory: '1Gi' }, limits: { memory: '1G' } };
    const findings = of(rule, check({ spec: { resources: above } }));
    expect(findings.map((f) => f.path)).toEqual(['spec.resources.requests.memory']);
    expect(findings[0]?.message).toContain('memory limit of 1G for "postgres" container is increased');
  });

  it('counts the operator default limit, for postgres and for sidecars', () => {
    const findings = check(
      {
        spec: {
          resources: { requests: { cpu: '2' } },
          sidecars: [{ image: 'busybox', resources: { requests: { cpu: '3' } } }],
        },
      },
      { defaultCpuLimit: '1' },
    );
    expect(paths(rule, findings)).toEqual([
      'spec.resources.requests.cpu',
      'spec.sidecars[0].resources.requests.cpu',
    ]);
    expect(of(rule, findings)[0]?.message).toContain('default_cpu_limit 1');
    expect(of(rule, findings)[1]?.message).toContain('"sidecar-0" container');
  });

  it('points at the manifest limit when the request comes from the defaults', () => {
    const findings = check(
      { spec: { resources: { limits: { cpu: '100m' } } } },
      { defaultCpuRequest: '250m' },
    );
    expect(paths(rule, findings)).toEqual(['spec.resources.limits.cpu']);
  });

  it('ignores a conflict between two defaults: that is the configuration, not the manifest', () => {
    expect(of(rule, check({}, { defaultCpuRequest: '2', defaultCpuLimit: '1' }))).toEqual([]);
  });

  it('counts the minimum limit the operator enforces first', () => {
    const findings = check(
      { spec: { resources: { requests: { cpu: '300m' }, limits: { cpu: '100m' } } } },
      { minCpuLimit: '250m' },
    );
    expect(of(rule, findings)[0]?.message).toContain('min_cpu_limit 250m');
    expect(paths('resources/limit-below-minimum', findings)).toEqual(['spec.resources.limits.cpu']);
  });

  it('checks the pooler only where both values are in the manifest (its defaults are not in the policy)', () => {
    const onlyRequest = { connectionPooler: { resources: { requests: { cpu: '2' } } } };
    expect(of(rule, check({ spec: onlyRequest }))).toEqual([]);
    const both = { connectionPooler: { resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } } };
    const findings = of(rule, check({ spec: both }));
    expect(findings.map((f) => f.path)).toEqual(['spec.connectionPooler.resources.requests.cpu']);
    expect(findings[0]?.message).toContain('"connection-pooler" container');
  });
});

describe('resources/zero-quantity', () => {
  const rule = 'resources/zero-quantity';

  it('names the default that applies instead', () => {
    const findings = of(
      rule,
      check({ spec: { resources: { limits: { cpu: '0' } } } }, { defaultCpuLimit: '1' }),
    );
    expect(findings[0]?.message).toContain('applies default_cpu_limit 1 instead');
  });

  it('names the pooler setting, and ignores 0 with a unit', () => {
    const findings = check({
      spec: {
        resources: { requests: { memory: '0Mi' } },
        connectionPooler: { resources: { requests: { memory: '0' } } },
      },
    });
    expect(paths(rule, findings)).toEqual(['spec.connectionPooler.resources.requests.memory']);
    expect(of(rule, findings)[0]?.message).toContain('connection_pooler_default_memory_request');
  });
});

describe('resources/limit-below-minimum', () => {
  const rule = 'resources/limit-below-minimum';
  const minimums = { minCpuLimit: '250m', minMemoryLimit: '250Mi' };

  it('warns when no limit is set and no default covers the minimum', () => {
    const findings = of(rule, check({}, minimums));
    expect(findings.map((f) => f.path)).toEqual(['spec', 'spec']);
    expect(findings[0]?.message).toContain(
      'defined CPU limit 0 for "postgres" container is below required minimum 250m',
    );
  });

  it('is satisfied by a default limit at or above the minimum, and not by one below', () => {
    expect(of(rule, check({}, { ...minimums, defaultCpuLimit: '1', defaultMemoryLimit: '250Mi' }))).toEqual(
      [],
    );
    const findings = of(
      rule,
      check(
        { spec: { resources: { requests: { cpu: '100m' } } } },
        { minCpuLimit: '250m', defaultCpuLimit: '100m' },
      ),
    );
    expect(findings.map((f) => f.path)).toEqual(['spec.resources']);
    expect(findings[0]?.message).toContain('default_cpu_limit 100m');
  });

  it('treats "0" as not set', () => {
    const findings = of(
      rule,
      check({ spec: { resources: { limits: { cpu: '0' } } } }, { minCpuLimit: '250m' }),
    );
    expect(findings.map((f) => f.path)).toEqual(['spec.resources.limits.cpu']);
    expect(findings[0]?.message).toContain('"0" counts as not set');
  });

  it('only concerns the postgres container', () => {
    const sidecar = { image: 'busybox', resources: { limits: { cpu: '10m', memory: '10Mi' } } };
    const spec = { resources: { limits: { cpu: '1', memory: '1Gi' } }, sidecars: [sidecar] };
    expect(of(rule, check({ spec }, minimums))).toEqual([]);
  });

  it('respects the ignore annotation only when it is "true"', () => {
    const policy = { ...minimums, ignoreResourcesLimitsAnnotationKey: IGNORE_LIMITS };
    const spec = { resources: { limits: { cpu: '100m', memory: '100Mi' } } };
    expect(of(rule, check({ metadata: { annotations: { [IGNORE_LIMITS]: 'true' } }, spec }, policy))).toEqual(
      [],
    );
    const findings = of(rule, check({ metadata: { annotations: { [IGNORE_LIMITS]: 'yes' } }, spec }, policy));
    expect(findings).toHaveLength(2);
    expect(findings[0]?.hint).toContain(`${IGNORE_LIMITS}: "true"`);
  });
});

describe('resources/request-above-maximum', () => {
  const rule = 'resources/request-above-maximum';

  it('compares the manifest request with the maximum exactly', () => {
    const policy = { maxMemoryRequest: '1Gi' };
    expect(of(rule, check({ spec: { resources: { requests: { memory: '1024Mi' } } } }, policy))).toEqual([]);
    const findings = of(rule, check({ spec: { resources: { requests: { memory: '1073741825' } } } }, policy));
    expect(findings[0]?.message).toContain('silently lowers it to 1Gi');
  });

  it('ignores requests that only come from the defaults, and exempt clusters', () => {
    expect(of(rule, check({}, { maxCpuRequest: '1', defaultCpuRequest: '2' }))).toEqual([]);
    const exempt = {
      metadata: { annotations: { [IGNORE_LIMITS]: 'true' } },
      spec: { resources: { requests: { cpu: '4' } } },
    };
    expect(
      of(rule, check(exempt, { maxCpuRequest: '1', ignoreResourcesLimitsAnnotationKey: IGNORE_LIMITS })),
    ).toEqual([]);
  });
});

describe('resources/init-container-request-above-limit', () => {
  it('requires hugepages requests to equal their limits', () => {
    const resources = {
      requests: { 'hugepages-2Mi': '2Mi', cpu: 1 },
      limits: { 'hugepages-2Mi': '4Mi', cpu: '1000m' },
    };
    const findings = check({ spec: { initContainers: [{ name: 'init', image: 'busybox', resources }] } });
    expect(paths('resources/init-container-request-above-limit', findings)).toEqual([
      'spec.initContainers[0].resources.requests.hugepages-2Mi',
    ]);
  });
});

describe('instances rules', () => {
  it('reports the clamping with the operator log text', () => {
    const findings = of(
      'instances/outside-limits',
      check({ spec: { numberOfInstances: 1 } }, { minInstances: 2 }),
    );
    expect(findings[0]?.message).toContain('adjusted number of instances from 1 to 2 (min: 2, max: -1)');
  });

  it('is exempt with the annotation set to "true"', () => {
    const policy = { maxInstances: 2, ignoreInstanceLimitsAnnotationKey: 'ignore-instances' };
    const exempt = {
      metadata: { annotations: { 'ignore-instances': 'true' } },
      spec: { numberOfInstances: 5 },
    };
    expect(of('instances/outside-limits', check(exempt, policy))).toEqual([]);
    expect(of('instances/outside-limits', check({ spec: { numberOfInstances: 5 } }, policy))).toHaveLength(1);
  });

  it('does not clamp a one-pod standby, whatever min_instances says', () => {
    const spec = { numberOfInstances: 1, standby: { s3_wal_path: 's3://bucket/wal' } };
    const findings = check({ spec }, { minInstances: 3 });
    expect(of('instances/outside-limits', findings)).toEqual([]);
    expect(of('instances/standby-not-one', findings)).toEqual([]);
  });

  it('recognises a standby from a non-empty STANDBY_WALE_*_PREFIX variable', () => {
    const standbyEnv = (value: string) => ({
      spec: { numberOfInstances: 2, env: [{ name: 'STANDBY_WALE_GS_PREFIX', value }] },
    });
    expect(of('instances/standby-not-one', check(standbyEnv('gs://bucket/wal')))).toHaveLength(1);
    expect(of('instances/standby-not-one', check(standbyEnv('')))).toEqual([]);
  });

  it('warns about 0 instances only when the operator really runs none', () => {
    expect(of('instances/zero', check({ spec: { numberOfInstances: 0 } }))).toHaveLength(1);
    const clamped = check({ spec: { numberOfInstances: 0 } }, { minInstances: 1 });
    expect(of('instances/zero', clamped)).toEqual([]);
    expect(of('instances/outside-limits', clamped)).toHaveLength(1);
  });
});

describe('volume rules', () => {
  it.each([
    ['1e3Gi', 'could not parse volume size: quantities must match the regular expression'],
    ['500K', "could not parse volume size: unable to parse quantity's suffix"],
    ['0', 'is zero'],
    ['0Gi', 'is zero'],
  ])('refuses size %s', (size, message) => {
    const findings = check({ spec: { volume: { size } } });
    expect(of('volume/invalid-size', findings)[0]?.message).toContain(message);
    expect(of('volume/size-below-1gi', findings)).toEqual([]);
  });

  it.each([
    ['1G', true],
    ['1023Mi', true],
    ['0.5Gi', true],
    ['1Gi', false],
    ['1073741824', false],
    ['2G', false],
  ])('size %s is below 1Gi: %s', (size, below) => {
    expect(of('volume/size-below-1gi', check({ spec: { volume: { size } } }))).toHaveLength(below ? 1 : 0);
  });

  it('warns about iops and throughput below the gp3 baselines, at the boundary', () => {
    const findings = check(
      { spec: { volume: { size: '1Gi', iops: 2999, throughput: 125 } } },
      { storageResizeMode: 'mixed' },
    );
    expect(paths('volume/below-gp3-minimum', findings)).toEqual(['spec.volume.iops']);
    expect(of('volume/needs-mixed-resize-mode', findings)).toEqual([]);
  });

  it('warns about every EBS setting outside mixed mode', () => {
    const findings = check(
      { spec: { volume: { size: '1Gi', iops: 3000, type: 'gp3' } } },
      { storageResizeMode: 'ebs' },
    );
    expect(paths('volume/needs-mixed-resize-mode', findings)).toEqual([
      'spec.volume.iops',
      'spec.volume.type',
    ]);
    expect(of('volume/needs-mixed-resize-mode', findings)[0]?.message).toContain('"ebs"');
  });
});

describe('containers rules', () => {
  it('names unnamed sidecars sidecar-<index>, as the operator does', () => {
    const findings = check({ spec: { sidecars: [{ image: 'busybox' }, {}] } });
    expect(of('containers/missing-image', findings)[0]?.message).toBe(
      "invalid sidecar containers: container 'sidecar-1': image is required",
    );
  });

  it('finds a duplicate between a named sidecar and a default name', () => {
    const findings = check({ spec: { sidecars: [{ name: 'sidecar-1', image: 'a' }, { image: 'b' }] } });
    expect(paths('containers/duplicate-name', findings)).toEqual(['spec.sidecars[1]']);
  });

  it('finds duplicates between init containers and sidecars, and init containers named postgres', () => {
    const findings = check({
      spec: {
        sidecars: [{ name: 'helper', image: 'a' }],
        initContainers: [
          { name: 'helper', image: 'b' },
          { name: 'postgres', image: 'c' },
        ],
      },
    });
    expect(of('containers/duplicate-name', findings)[0]?.message).toContain('Kubernetes refuses');
    expect(paths('containers/named-postgres', findings)).toEqual(['spec.initContainers[1].name']);
  });

  it('reports an empty image string at the image field', () => {
    const findings = check({ spec: { initContainers: [{ name: 'init', image: '' }] } });
    expect(paths('containers/missing-image', findings)).toEqual(['spec.initContainers[0].image']);
    expect(of('containers/missing-image', findings)[0]?.message).toContain('invalid init containers');
  });

  it('accepts empty lists while sidecars and init containers are disabled', () => {
    const findings = check(
      { spec: { sidecars: [], initContainers: [] } },
      { enableSidecars: false, enableInitContainers: false },
    );
    expect(of('containers/sidecars-disabled', findings)).toEqual([]);
    expect(of('containers/init-containers-disabled', findings)).toEqual([]);
  });

  it('compares sidecar env names case-insensitively', () => {
    const env = [
      { name: 'MODE', value: 'a' },
      { name: 'mode', value: 'b' },
      { name: 'pod_name', value: 'c' },
    ];
    const findings = check({ spec: { sidecars: [{ name: 's', image: 'busybox', env }] } });
    expect(paths('containers/duplicate-sidecar-env', findings)).toEqual(['spec.sidecars[0].env[1].name']);
    expect(paths('containers/reserved-sidecar-env', findings)).toEqual(['spec.sidecars[0].env[2].name']);
  });

  it('does not mix env names of different sidecars', () => {
    const sidecar = (name: string) => ({ name, image: 'busybox', env: [{ name: 'MODE', value: name }] });
    expect(
      of('containers/duplicate-sidecar-env', check({ spec: { sidecars: [sidecar('a'), sidecar('b')] } })),
    ).toEqual([]);
  });
});

describe('volumes rules', () => {
  const volume = (extra: Record<string, unknown>) => ({
    name: 'extra',
    mountPath: '/extra',
    volumeSource: { emptyDir: {} },
    ...extra,
  });

  it('reserves the TLS secret names only while TLS is on, and the CA secret only with caFile', () => {
    const volumes = [volume({ name: 'tls-secret' }), volume({ name: 'ca-secret', mountPath: '/ca' })];
    const on = check({
      spec: { tls: { secretName: 'tls-secret', caSecretName: 'ca-secret' }, additionalVolumes: volumes },
    });
    expect(paths('volumes/reserved-name', on)).toEqual(['spec.additionalVolumes[0].name']);
    const withCa = check({
      spec: {
        tls: { secretName: 'tls-secret', caSecretName: 'ca-secret', caFile: 'ca.crt' },
        additionalVolumes: volumes,
      },
    });
    expect(paths('volumes/reserved-name', withCa)).toHaveLength(2);
    const off = check({ spec: { tls: { secretName: '' }, additionalVolumes: volumes } });
    expect(of('volumes/reserved-name', off)).toEqual([]);
  });

  it('compares mount paths without trailing slashes', () => {
    const findings = check({
      spec: {
        additionalVolumes: [
          volume({ name: 'a', mountPath: '/data' }),
          volume({ name: 'b', mountPath: '/data/' }),
          volume({ name: 'c', mountPath: '/home/postgres/pgdata/' }),
        ],
      },
    });
    expect(paths('volumes/duplicate-mount-path', findings)).toEqual(['spec.additionalVolumes[1].mountPath']);
    expect(paths('volumes/pgdata-mount-path', findings)).toEqual(['spec.additionalVolumes[2].mountPath']);
  });

  it('reports /tls only with TLS on, and /dev/shm only where shm is mounted into postgres', () => {
    const tlsVolume = {
      spec: { tls: { secretName: 'acid-tls' }, additionalVolumes: [volume({ mountPath: '/tls' })] },
    };
    expect(of('volumes/operator-mount-path', check(tlsVolume))[0]?.message).toContain('skips the TLS volume');
    expect(
      of(
        'volumes/operator-mount-path',
        check({ spec: { additionalVolumes: [volume({ mountPath: '/tls' })] } }),
      ),
    ).toEqual([]);
    const shm = volume({ mountPath: '/dev/shm' });
    expect(of('volumes/operator-mount-path', check({ spec: { additionalVolumes: [shm] } }))).toHaveLength(1);
    expect(
      of(
        'volumes/operator-mount-path',
        check({ spec: { additionalVolumes: [shm] } }, { enableShmVolume: false }),
      ),
    ).toEqual([]);
    const sidecarOnly = volume({ mountPath: '/dev/shm', targetContainers: ['exporter'] });
    const spec = { sidecars: [{ name: 'exporter', image: 'x' }], additionalVolumes: [sidecarOnly] };
    expect(of('volumes/operator-mount-path', check({ spec }))).toEqual([]);
  });

  it('points at "all" when it is mixed with names', () => {
    const findings = check({
      spec: { additionalVolumes: [volume({ targetContainers: ['postgres', 'all'] })] },
    });
    expect(paths('volumes/mixed-all-target', findings)).toEqual([
      'spec.additionalVolumes[0].targetContainers[1]',
    ]);
  });

  it('knows sidecars, says when a target is an init container, and suggests near names', () => {
    const findings = check({
      spec: {
        sidecars: [{ name: 'exporter', image: 'x' }],
        initContainers: [{ name: 'init', image: 'y' }],
        additionalVolumes: [volume({ targetContainers: ['exporter', 'init', 'exportr'] })],
      },
    });
    const unknown = of('volumes/unknown-target', findings);
    expect(unknown.map((f) => f.path)).toEqual([
      'spec.additionalVolumes[0].targetContainers[1]',
      'spec.additionalVolumes[0].targetContainers[2]',
    ]);
    expect(unknown[0]?.message).toContain('init container');
    expect(unknown[1]?.hint).toBe('did you mean exporter?');
  });

  it.each([
    [{ PersistentVolumeClaim: { claimName: 'data' } }, []],
    [{ persistentvolumeclaim: { ClaimName: 'data' } }, []],
    [{ emptyDir: {}, configMap: { name: 'c' } }, ['spec.additionalVolumes[0].volumeSource']],
    [{}, ['spec.additionalVolumes[0].volumeSource']],
    [{ persistentVolumeClaim: {} }, ['spec.additionalVolumes[0].volumeSource.persistentVolumeClaim']],
    [{ configMap: 'settings' }, ['spec.additionalVolumes[0].volumeSource.configMap']],
    [{ emptyDir: {}, readOnly: true }, ['spec.additionalVolumes[0].volumeSource.readOnly']],
    [{ csi: { driver: 'secrets-store.csi.k8s.io' } }, []],
    [{ image: { reference: 'registry/data:1' } }, []],
  ])('volumeSource %j', (volumeSource, expected) => {
    const findings = check({ spec: { additionalVolumes: [volume({ volumeSource })] } });
    expect(paths('volumes/invalid-source', findings)).toEqual(expected);
  });

  it('suggests the volume source type meant', () => {
    const findings = check({
      spec: { additionalVolumes: [volume({ volumeSource: { emtpyDir: {} } })] },
    });
    const [finding] = of('volumes/invalid-source', findings);
    expect(finding?.hint).toBe('did you mean emptyDir?');
    expect(finding?.message).toContain('must specify a volume type');
  });

  it('finds the same claim mounted twice whatever the key case', () => {
    const findings = check({
      spec: {
        additionalVolumes: [
          volume({
            name: 'a',
            mountPath: '/a',
            volumeSource: { persistentVolumeClaim: { claimName: 'shared' } },
          }),
          volume({
            name: 'b',
            mountPath: '/b',
            volumeSource: { PersistentVolumeClaim: { claimName: 'shared' } },
          }),
          volume({
            name: 'c',
            mountPath: '/c',
            volumeSource: { persistentVolumeClaim: { claimName: 'other' } },
          }),
        ],
      },
    });
    expect(paths('volumes/pvc-mounted-twice', findings)).toEqual(['spec.additionalVolumes[1].volumeSource']);
  });

  it('requires DNS-1123 label names', () => {
    const findings = check({
      spec: {
        additionalVolumes: [volume({ name: 'a'.repeat(64) }), volume({ name: 'b.c', mountPath: '/b' })],
      },
    });
    expect(paths('volumes/invalid-name', findings)).toEqual([
      'spec.additionalVolumes[0].name',
      'spec.additionalVolumes[1].name',
    ]);
  });
});

describe('tls rules', () => {
  const tlsRules = (findings: Finding[]) => findings.filter((f) => f.ruleId.startsWith('tls/'));

  it('says nothing about the tls section while secretName is empty (TLS off)', () => {
    const findings = check({ spec: { tls: { secretName: '', caSecretName: 'bad.name' } } });
    expect(tlsRules(findings)).toEqual([]);
  });

  it('checks the CA secret name only when it is used (caFile set)', () => {
    const unused = check({
      spec: { spiloFSGroup: 103, tls: { secretName: 'tls', caSecretName: 'ca.bundle' } },
    });
    expect(tlsRules(unused).map((f) => f.ruleId)).toEqual(['tls/unused-ca-secret']);
    const used = check({
      spec: { spiloFSGroup: 103, tls: { secretName: 'tls', caSecretName: 'ca.bundle', caFile: 'ca.crt' } },
    });
    expect(paths('tls/invalid-secret-name', used)).toEqual(['spec.tls.caSecretName']);
  });

  it('refuses secret names longer than 63 characters', () => {
    const findings = check({ spec: { spiloFSGroup: 103, tls: { secretName: 'a'.repeat(64) } } });
    expect(paths('tls/invalid-secret-name', findings)).toEqual(['spec.tls.secretName']);
  });

  it('accepts the fsGroup from the operator configuration', () => {
    expect(
      of('tls/missing-fs-group', check({ spec: { tls: { secretName: 'tls' } } }, { spiloFsGroup: 103 })),
    ).toEqual([]);
    expect(of('tls/missing-fs-group', check({ spec: { tls: { secretName: 'tls' } } }))[0]?.message).toContain(
      'OpenShift',
    );
  });

  it('does not call the same secret a clash when the CA secret is unused', () => {
    const findings = check({ spec: { spiloFSGroup: 103, tls: { secretName: 'tls', caSecretName: 'tls' } } });
    expect(of('tls/same-secret', findings)).toEqual([]);
  });
});

describe('env rules', () => {
  it('compares reserved names case-insensitively and follows kubernetes_use_configmaps', () => {
    const env = [
      { name: 'scope', value: 'x' },
      { name: 'KUBERNETES_USE_CONFIGMAPS', value: 'false' },
    ];
    expect(paths('env/reserved-name', check({ spec: { env } }))).toEqual([
      'spec.env[0].name',
      'spec.env[1].name',
    ]);
    expect(paths('env/reserved-name', check({ spec: { env } }, { kubernetesUseConfigmaps: false }))).toEqual([
      'spec.env[0].name',
    ]);
  });

  it('warns about STANDBY_* only with a standby section and CLONE_* only with a clone section', () => {
    const env = [
      { name: 'STANDBY_WALE_S3_PREFIX', value: 's3://bucket/wal' },
      { name: 'CLONE_SCOPE', value: 'acid-source' },
    ];
    expect(of('env/clone-standby-duplicate', check({ spec: { numberOfInstances: 1, env } }))).toEqual([]);
    const withStandby = check({
      spec: { numberOfInstances: 1, env, standby: { s3_wal_path: 's3://bucket/wal' } },
    });
    expect(paths('env/clone-standby-duplicate', withStandby)).toEqual(['spec.env[0].name']);
  });

  it('reports later duplicates only, and not the reserved ones twice', () => {
    const env = [
      { name: 'A', value: '1' },
      { name: 'a', value: '2' },
      { name: 'PGROOT', value: '/x' },
      { name: 'PGROOT', value: '/y' },
    ];
    const findings = check({ spec: { env } });
    expect(paths('env/duplicate-name', findings)).toEqual(['spec.env[1].name']);
    expect(paths('env/reserved-name', findings)).toEqual(['spec.env[2].name', 'spec.env[3].name']);
  });
});

describe('services rules', () => {
  it('ignores port 0 (auto-assign) and range-checks only enabled ports', () => {
    const findings = check({ spec: { masterNodePort: 0, replicaNodePort: 80 } });
    expect(paths('services/node-port-without-enable', findings)).toEqual(['spec.replicaNodePort']);
    expect(of('services/node-port-out-of-range', findings)).toEqual([]);
  });

  it('checks the range boundaries and says when a value is no port at all', () => {
    const ports = (master: number, replica: number) => ({
      spec: {
        enableMasterNodePort: true,
        masterNodePort: master,
        enableReplicaNodePort: true,
        replicaNodePort: replica,
      },
    });
    expect(of('services/node-port-out-of-range', check(ports(30000, 32767)))).toEqual([]);
    const findings = of('services/node-port-out-of-range', check(ports(29999, 70000)));
    expect(findings.map((f) => f.path)).toEqual(['spec.masterNodePort', 'spec.replicaNodePort']);
    expect(findings[1]?.message).toContain('not a port number at all');
  });

  it('counts duplicates among enabled ports only, pooler ports included', () => {
    const findings = check({
      spec: {
        enableMasterNodePort: true,
        masterNodePort: 30432,
        replicaNodePort: 30432,
        enableMasterPoolerNodePort: true,
        masterPoolerNodePort: 30432,
      },
    });
    expect(paths('services/duplicate-node-port', findings)).toEqual(['spec.masterPoolerNodePort']);
  });

  it('accepts enableShmVolume: false when the configuration disables shm as well', () => {
    expect(
      of(
        'services/shm-volume-not-disabled',
        check({ spec: { enableShmVolume: false } }, { enableShmVolume: false }),
      ),
    ).toEqual([]);
  });
});

describe('scheduling/topology-spread-without-selector', () => {
  it('accepts an explicit (even empty) labelSelector and points at the constraint without one', () => {
    const constraint = {
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'ScheduleAnyway',
    };
    const findings = check({
      spec: { topologySpreadConstraints: [{ ...constraint, labelSelector: {} }, constraint] },
    });
    expect(paths('scheduling/topology-spread-without-selector', findings)).toEqual([
      'spec.topologySpreadConstraints[1]',
    ]);
    expect(of('scheduling/topology-spread-without-selector', findings)[0]?.hint).toContain(
      'cluster-name: acid-demo',
    );
  });
});
