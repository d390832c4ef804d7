/**
 * What `--crd` and `--operator-version` need: the run-time CRD compiler (with ajv) and the shipped
 * schemas of other operator releases. Bundled apart in the CLI (dist/schema-choice.cjs), so that a
 * lint with the built-in schema never reads them.
 */
export { CrdSchemaError, compileCrdSchema } from '../schema/crd-schema.js';
export {
  schemaForOperatorVersion,
  shippedSchemas,
  UnknownOperatorVersionError,
} from '../schema/operator-versions.js';
