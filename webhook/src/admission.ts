/**
 * AdmissionReview ↔ validator: what to answer to one admission request, given the policy snapshot.
 * Pure: no I/O, no clock (the time comes in `settings.now`).
 */
import { isDeepStrictEqual } from 'node:util';
import { type Finding, mutate, validateDetailed } from '@acid-guard/validator';
import { MAX_OBJECT_DEPTH, nestedTooDeep } from './admission-depth.js';
import type { AdmissionRequest, AdmissionResponse, Status, StatusCause } from './admission-review.js';
import type { PolicySnapshot } from './policy-source.js';
import { fitWarnings, MAX_WARNING_BYTES, truncateBytes } from './warning-budget.js';

/** `acid-guard/bypass: "<reason>"`: skips validation of one object, where the webhook allows it. */
export const BYPASS_ANNOTATION = 'acid-guard/bypass';

const GROUP = 'acid.zalan.do';
const KIND = 'postgresql';
const QUALIFIED_KIND = `${KIND}.${GROUP}`;

export interface AdmissionSettings {
  /** Honour the bypass annotation (`--allow-bypass`); off by default. */
  allowBypass: boolean;
  /** The time of the request: delete protection compares the date. */
  now: Date;
}

/** How a review ended, for metrics and logs. */
export type ReviewResult = 'allowed' | 'denied' | 'patched' | 'bypassed' | 'skipped';

/** The answer to one request, without its uid (so that it can be cached and reused). */
export interface Verdict {
  allowed: boolean;
  result: ReviewResult;
  status?: Status;
  /** Base64 of the JSON Patch. */
  patch?: string;
  patchOperations: number;
  warnings: readonly string[];
  auditAnnotations: Readonly<Record<string, string>>;
  /** Rule ids that fired (errors and warnings), sorted. */
  rules: readonly string[];
  errors: number;
  /** Why the request was not judged (`spec unchanged`, `subresource status`). */
  skipped?: string;
}

type JsonMap = Record<string, unknown>;

function isMap(value: unknown): value is JsonMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function annotationsOf(object: unknown): JsonMap {
  const metadata = isMap(object) ? object.metadata : undefined;
  const annotations = isMap(metadata) ? metadata.annotations : undefined;
  return isMap(annotations) ? annotations : {};
}

/** The object a request is about: the new one, or the stored one for DELETE. */
function subjectOf(request: AdmissionRequest): unknown {
  return request.operation === 'DELETE' ? request.oldObject : request.object;
}

function allowedVerdict(result: ReviewResult, extra: Partial<Verdict> = {}): Verdict {
  return {
    allowed: true,
    result,
    patchOperations: 0,
    warnings: [],
    auditAnnotations: {},
    rules: [],
    errors: 0,
    ...extra,
  };
}

/**
 * Why a request needs no judgement, or undefined when it does. An UPDATE that leaves `spec` alone is
 * always allowed: the operator writes status, finalizers and its annotations through the same
 * resource, and rejecting those would hang deletion on a finalizer.
 */
export function skipReason(request: AdmissionRequest): string | undefined {
  if (request.subResource) return `subresource ${request.subResource}`;
  const kind = request.kind;
  if (kind !== undefined && (kind.group !== GROUP || kind.kind !== KIND)) {
    return `kind ${kind.group ? `${kind.group}/` : ''}${kind.kind ?? '?'} is not a ${KIND}`;
  }
  if (request.operation === 'CONNECT') return 'CONNECT';
  if (request.operation === 'UPDATE') {
    const spec = isMap(request.object) ? request.object.spec : undefined;
    const oldSpec = isMap(request.oldObject) ? request.oldObject.spec : undefined;
    // The comparison recurses: a spec nested too deep is judged (and refused) instead.
    if (nestedTooDeep(spec) !== undefined || nestedTooDeep(oldSpec) !== undefined) return undefined;
    if (isDeepStrictEqual(spec, oldSpec)) return 'spec unchanged';
  }
  return undefined;
}

/** What is said about an object nested deeper than MAX_OBJECT_DEPTH, below `field`. */
function tooDeepMessage(field: string): string {
  return `${field ? `${field}: ` : ''}nested deeper than ${MAX_OBJECT_DEPTH} levels; no postgresql field nests that deep, and acid-guard does not judge what it cannot read`;
}

/** The denial of an object nested too deep: one cause, no rule (nothing was run). */
function tooDeepDenial(field: string, name: string | undefined): Status {
  const message = tooDeepMessage(field);
  const cause: StatusCause = { reason: 'FieldValueInvalid', message };
  if (field) cause.field = field;
  const status: Status = {
    status: 'Failure',
    code: 422,
    reason: 'Invalid',
    message: `${QUALIFIED_KIND} ${JSON.stringify(name ?? '')} is invalid: ${message}`,
    details: { group: GROUP, kind: KIND, causes: [cause] },
  };
  if (name && status.details) status.details.name = name;
  return status;
}

// ---------------------------------------------------------------------------------------------------
// Validation

const sortedUnique = (ids: Iterable<string>): string[] => [...new Set(ids)].sort();

function causeMessage(finding: Finding): string {
  return `${finding.message}${finding.hint ? `; ${finding.hint}` : ''} (${finding.ruleId})`;
}

const atPath = (finding: Finding, text: string): string => (finding.path ? `${finding.path}: ${text}` : text);

/** `path: message`, and what to write instead when that still fits in one warning. */
function warningText(finding: Finding): string {
  const plain = atPath(finding, finding.message);
  if (finding.hint === undefined) return plain;
  const withHint = `${plain}; ${finding.hint}`;
  return Buffer.byteLength(withHint) <= MAX_WARNING_BYTES ? withHint : plain;
}

/**
 * One denial for all errors, in the shape `kubectl` prints best: 422 `Invalid` with one cause per
 * finding; the message lists every error the way the API server words its own validation errors.
 */
export function denial(errors: readonly Finding[], name: string | undefined): Status {
  const causes: StatusCause[] = errors.map((finding) => {
    const cause: StatusCause = { reason: 'FieldValueInvalid', message: causeMessage(finding) };
    if (finding.path) cause.field = finding.path;
    return cause;
  });
  const listed = errors.map((finding) => atPath(finding, causeMessage(finding)));
  const list = listed.length === 1 ? listed[0] : `[${listed.join(', ')}]`;
  const status: Status = {
    status: 'Failure',
    code: 422,
    reason: 'Invalid',
    message: `${QUALIFIED_KIND} ${JSON.stringify(name ?? '')} is invalid: ${list}`,
    details: { group: GROUP, kind: KIND, causes },
  };
  if (name && status.details) status.details.name = name;
  return status;
}

function nameOf(request: AdmissionRequest): string | undefined {
  if (request.name) return request.name;
  const metadata = isMap(subjectOf(request)) ? (subjectOf(request) as JsonMap).metadata : undefined;
  const name = isMap(metadata) ? metadata.name : undefined;
  return typeof name === 'string' ? name : undefined;
}

interface Bypass {
  /** The reason, when the bypass is honoured. */
  reason?: string;
  /** Why an annotation present was not honoured. */
  refused?: string;
}

function bypassOf(request: AdmissionRequest, allowBypass: boolean): Bypass {
  const value = annotationsOf(subjectOf(request))[BYPASS_ANNOTATION];
  if (value === undefined) return {};
  const reason = typeof value === 'string' ? value.trim() : '';
  if (!allowBypass) {
    return {
      refused: `metadata.annotations[${BYPASS_ANNOTATION}]: ignored, this webhook does not allow bypassing validation; the manifest was validated as usual`,
    };
  }
  if (reason === '') {
    return {
      refused: `metadata.annotations[${BYPASS_ANNOTATION}]: ignored, a bypass needs a reason ("${BYPASS_ANNOTATION}: <why>"); the manifest was validated as usual`,
    };
  }
  return { reason };
}

/** An honoured bypass: allowed, with a loud first warning and the errors not enforced as warnings. */
function bypassedVerdict(
  request: AdmissionRequest,
  reason: string,
  errors: readonly string[],
  warnings: readonly string[],
  audit: Record<string, string>,
  rules: readonly string[],
): Verdict {
  const object = `${request.namespace ? `${request.namespace}/` : ''}${nameOf(request) ?? '(unnamed)'}`;
  const loud = `BYPASS: acid-guard validation of postgresql ${object} was skipped by ${BYPASS_ANNOTATION}: "${reason}"; ${errors.length} error(s) not enforced`;
  return allowedVerdict('bypassed', {
    warnings: fitWarnings([loud, ...errors, ...warnings]),
    auditAnnotations: { ...audit, bypass: truncateBytes(reason, 1024) },
    rules,
    errors: errors.length,
  });
}

/** Validates the object of a CREATE or UPDATE, or the stored object of a DELETE (delete protection). */
export function validateAdmission(
  request: AdmissionRequest,
  snapshot: PolicySnapshot,
  settings: AdmissionSettings,
): Verdict {
  const skipped = skipReason(request);
  if (skipped !== undefined) return allowedVerdict('skipped', { skipped });
  const operation = request.operation as 'CREATE' | 'UPDATE' | 'DELETE';
  // DELETE reads only the stored object's annotations (delete protection): its depth does not matter.
  const deep = operation === 'DELETE' ? undefined : nestedTooDeep(request.object);
  if (deep !== undefined) {
    const bypass = bypassOf(request, settings.allowBypass);
    if (bypass.reason !== undefined) {
      return bypassedVerdict(request, bypass.reason, [tooDeepMessage(deep)], [], {}, []);
    }
    return {
      allowed: false,
      result: 'denied',
      status: tooDeepDenial(deep, nameOf(request)),
      patchOperations: 0,
      warnings: fitWarnings(bypass.refused === undefined ? [] : [bypass.refused]),
      auditAnnotations: {},
      rules: [],
      errors: 1,
    };
  }
  // A stored object nested too deep cannot be compared with: the new one is judged on its own.
  const oldDeep = operation === 'UPDATE' ? nestedTooDeep(request.oldObject) : undefined;
  const { findings, suppressed } = validateDetailed(subjectOf(request), {
    operation,
    ...(operation === 'UPDATE' && oldDeep === undefined && { old: request.oldObject }),
    policy: snapshot.policy,
    now: settings.now,
    ...(snapshot.teams !== undefined && { teams: snapshot.teams }),
    ...(snapshot.schema !== undefined && { schema: snapshot.schema }),
  });
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = findings.filter((f) => f.severity === 'warning').map(warningText);
  const rules = sortedUnique(findings.map((f) => f.ruleId));
  const audit: Record<string, string> = {};
  if (rules.length > 0) audit['fired-rules'] = rules.join(',');
  if (suppressed.length > 0)
    audit['suppressed-rules'] = sortedUnique(suppressed.map((f) => f.ruleId)).join(',');

  const bypass = bypassOf(request, settings.allowBypass);
  if (bypass.reason !== undefined) {
    return bypassedVerdict(request, bypass.reason, errors.map(warningText), warnings, audit, rules);
  }
  const notes = [
    ...(bypass.refused === undefined ? [] : [bypass.refused]),
    ...(oldDeep === undefined ? [] : [`stored object: ${tooDeepMessage(oldDeep)}; update rules skipped`]),
    ...warnings,
  ];
  if (errors.length === 0) {
    return allowedVerdict('allowed', { warnings: fitWarnings(notes), auditAnnotations: audit, rules });
  }
  return {
    allowed: false,
    result: 'denied',
    status: denial(errors, nameOf(request)),
    patchOperations: 0,
    warnings: fitWarnings(notes),
    auditAnnotations: audit,
    rules,
    errors: errors.length,
  };
}

// ---------------------------------------------------------------------------------------------------
// Mutation

/** A value for a warning: JSON, cut short. */
function shortValue(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/**
 * Applies the defaults engine to the object of a CREATE or UPDATE: the patch against the object as
 * received, what was applied as warnings and in the audit annotations. DELETE is never mutated.
 */
export function mutateAdmission(request: AdmissionRequest, snapshot: PolicySnapshot): Verdict {
  const skipped = skipReason(request) ?? (request.operation === 'DELETE' ? 'DELETE' : undefined);
  if (skipped !== undefined) return allowedVerdict('skipped', { skipped });
  // Not patched, and /validate refuses it: mutating it would overflow the defaults engine's stack.
  const deep = nestedTooDeep(request.object);
  if (deep !== undefined) {
    return allowedVerdict('skipped', {
      skipped: 'nested too deep',
      warnings: fitWarnings([`${tooDeepMessage(deep)}; not mutated`]),
    });
  }
  const result = mutate(request.object, {
    ...(snapshot.defaults !== undefined && { defaults: snapshot.defaults }),
    ...(snapshot.schema !== undefined && { schema: snapshot.schema }),
  });
  if (result.patch.length === 0) return allowedVerdict('allowed');
  const warnings = result.changes.map((change) => {
    const what =
      change.old === undefined
        ? `set to ${shortValue(change.new)}`
        : `changed from ${shortValue(change.old)} to ${shortValue(change.new)}`;
    return `${change.path}: ${what} (${change.reason})`;
  });
  return allowedVerdict('patched', {
    patch: Buffer.from(JSON.stringify(result.patch)).toString('base64'),
    patchOperations: result.patch.length,
    warnings: fitWarnings(warnings),
    auditAnnotations: { 'defaults-applied': sortedUnique(result.changes.map((c) => c.path)).join(',') },
  });
}

/** The response for one request: the verdict with the request's uid. */
export function admissionResponse(uid: string, verdict: Verdict): AdmissionResponse {
  const response: AdmissionResponse = { uid, allowed: verdict.allowed };
  if (verdict.status !== undefined) response.status = verdict.status;
  if (verdict.patch !== undefined) {
    response.patchType = 'JSONPatch';
    response.patch = verdict.patch;
  }
  if (verdict.warnings.length > 0) response.warnings = [...verdict.warnings];
  if (Object.keys(verdict.auditAnnotations).length > 0) {
    response.auditAnnotations = { ...verdict.auditAnnotations };
  }
  return response;
}
