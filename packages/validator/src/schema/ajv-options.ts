import type { Options } from 'ajv';
import { ANNOTATION_KEYWORDS } from './json-schema.js';

/**
 * The ajv options for every schema we compile, at generation time (standalone code) and at run time
 * (`--crd`). All errors are collected: one finding per problem, never only the first.
 */
export const AJV_OPTIONS: Options = {
  allErrors: true,
  strict: true,
  strictTypes: false,
  strictRequired: false,
  allowUnionTypes: true,
  keywords: [...ANNOTATION_KEYWORDS],
  validateFormats: false,
  messages: false,
};
