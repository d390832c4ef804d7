/** The depth limit of the validator, which the webhook applies before it parses or judges anything. */
export { MAX_OBJECT_DEPTH, nestedTooDeep } from '@acid-guard/validator';
