/** @acid-guard/webhook — the public API. Only re-exports: everything else is internal. */
export {
  type AdmissionSettings,
  admissionResponse,
  BYPASS_ANNOTATION,
  mutateAdmission,
  type ReviewResult,
  type Verdict,
  validateAdmission,
} from './admission.js';
export {
  ADMISSION_API_VERSIONS,
  type AdmissionApiVersion,
  type AdmissionRequest,
  type AdmissionResponse,
  type AdmissionReviewRequest,
  type AdmissionReviewResponse,
  readAdmissionReview,
} from './admission-review.js';
export {
  BODY_LIMIT,
  createWebhook,
  DEFAULT_TIMEOUTS,
  type ShutdownOptions,
  type Timeouts,
  Webhook,
  type WebhookOptions,
} from './app.js';
export {
  ClusterObjectError,
  ClusterPolicySource,
  type ClusterPolicySourceOptions,
  type ClusterSettings,
  WATCHED_RESOURCES,
  type WatchedResource,
  watchedResources,
} from './cluster/index.js';
export { ConfigError, readConfig, type WebhookConfig } from './config.js';
export { createDevCertificate, type DevCertificate, type DevCertificateOptions } from './dev-certificate.js';
export { WebhookMetrics } from './metrics.js';
export {
  FilePolicySource,
  loadPolicyFiles,
  type PolicyFiles,
  type PolicySnapshot,
  type PolicySource,
  type ReloadEvent,
  StaticPolicySource,
} from './policy-source.js';
export {
  CertificateError,
  readServingCertificate,
  type ServingCertificate,
  servingCertificate,
} from './tls.js';
