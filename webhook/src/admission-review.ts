/**
 * The AdmissionReview wire format (admission.k8s.io/v1, and v1beta1 which has the same shape): what
 * the API server sends, how we check that a body is one, and the review we answer with. Pure.
 */

export const ADMISSION_API_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;
export type AdmissionApiVersion = (typeof ADMISSION_API_VERSIONS)[number];

export const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const;
export type AdmissionOperation = (typeof OPERATIONS)[number];

export interface GroupVersionKind {
  group?: string;
  version?: string;
  kind?: string;
}

export interface GroupVersionResource {
  group?: string;
  version?: string;
  resource?: string;
}

export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
}

export interface AdmissionRequest {
  uid: string;
  kind?: GroupVersionKind;
  resource?: GroupVersionResource;
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: AdmissionOperation;
  userInfo?: UserInfo;
  /** The new object; null on DELETE and CONNECT. */
  object?: unknown;
  /** The stored object; set on UPDATE and DELETE. */
  oldObject?: unknown;
  dryRun?: boolean;
  options?: unknown;
}

export interface AdmissionReviewRequest {
  apiVersion: AdmissionApiVersion;
  kind: 'AdmissionReview';
  request: AdmissionRequest;
}

/** `metav1.StatusCause`: one field that is wrong. */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

/** `metav1.Status` as a webhook returns it in a denial. */
export interface Status {
  status: 'Failure';
  code: number;
  reason: string;
  message: string;
  details?: {
    name?: string;
    group: string;
    kind: string;
    causes: StatusCause[];
  };
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: Status;
  patchType?: 'JSONPatch';
  /** Base64 of a JSON Patch (RFC 6902) array. */
  patch?: string;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

export interface AdmissionReviewResponse {
  apiVersion: AdmissionApiVersion;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

/** A body that is no AdmissionReview we can answer; becomes HTTP 400 with `message`. */
export interface ReviewProblem {
  message: string;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

const isMissing = (value: unknown): boolean => value === undefined || value === null;

/** Which objects each operation must carry (the API server sends oldObject on DELETE since 1.15). */
const NEEDS: Record<AdmissionOperation, readonly ('object' | 'oldObject')[]> = {
  CREATE: ['object'],
  UPDATE: ['object', 'oldObject'],
  DELETE: ['oldObject'],
  CONNECT: [],
};

/** Checks that a parsed body is an AdmissionReview request we can answer; says what is wrong otherwise. */
export function readAdmissionReview(body: unknown): AdmissionReviewRequest | ReviewProblem {
  const problem = (message: string): ReviewProblem => ({ message: `not an AdmissionReview: ${message}` });
  if (!isMap(body)) return problem(`the body is ${describe(body)}, expected a JSON object`);
  if (body.kind !== 'AdmissionReview')
    return problem(`kind is ${describe(body.kind)}, expected "AdmissionReview"`);
  const apiVersion = body.apiVersion;
  if (!ADMISSION_API_VERSIONS.includes(apiVersion as AdmissionApiVersion)) {
    return problem(
      `apiVersion ${describe(apiVersion)} is not served; send ${ADMISSION_API_VERSIONS.join(' or ')}`,
    );
  }
  const request = body.request;
  if (!isMap(request)) return problem(`request is ${describe(request)}, expected an object`);
  if (typeof request.uid !== 'string' || request.uid === '') {
    return problem(`request.uid is ${describe(request.uid)}, expected a non-empty string`);
  }
  const operation = request.operation;
  if (!OPERATIONS.includes(operation as AdmissionOperation)) {
    return problem(`request.operation is ${describe(operation)}, expected one of ${OPERATIONS.join(', ')}`);
  }
  for (const field of NEEDS[operation as AdmissionOperation]) {
    if (isMissing(request[field])) return problem(`request.${field} is missing, and ${operation} needs it`);
    if (!isMap(request[field])) {
      return problem(`request.${field} is ${describe(request[field])}, expected an object`);
    }
  }
  for (const field of ['name', 'namespace', 'subResource'] as const) {
    if (request[field] !== undefined && typeof request[field] !== 'string') {
      return problem(`request.${field} is ${describe(request[field])}, expected a string`);
    }
  }
  return body as unknown as AdmissionReviewRequest;
}

export function isReviewProblem(value: AdmissionReviewRequest | ReviewProblem): value is ReviewProblem {
  return !('request' in value);
}

/** The answer, in the review's own version (the API server expects the version it sent). */
export function reviewResponse(
  apiVersion: AdmissionApiVersion,
  response: AdmissionResponse,
): AdmissionReviewResponse {
  return { apiVersion, kind: 'AdmissionReview', response };
}

/** The JSON of a review response, split around its uid: the rest is the same for every request. */
export type ResponseTemplate = readonly [before: string, after: string];

const UID_PLACEHOLDER = '\u0000uid\u0000';

/** Splits a response's JSON around its uid, so that a cached answer is only filled in. */
export function responseTemplate(
  apiVersion: AdmissionApiVersion,
  response: AdmissionResponse,
): ResponseTemplate {
  const json = JSON.stringify(reviewResponse(apiVersion, { ...response, uid: UID_PLACEHOLDER }));
  const marker = JSON.stringify(UID_PLACEHOLDER);
  const at = json.indexOf(marker);
  return [json.slice(0, at), json.slice(at + marker.length)];
}

export function fillTemplate(template: ResponseTemplate, uid: string): string {
  return `${template[0]}${JSON.stringify(uid)}${template[1]}`;
}
