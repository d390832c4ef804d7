/**
 * An object read from the API server, written out as YAML so that it can be linted like a file and
 * its findings get a line and a column. The text is ours, not the user's: line:column refer to this
 * rendering (close to `kubectl get -o yaml`, which also hides metadata.managedFields).
 */
import { isDeepStrictEqual } from 'node:util';
import { Document, isScalar, visit } from 'yaml';
import { resolveKubectlScalar } from '../source/kubectl-scalars.js';
import { parseYamlDocuments } from '../source/yaml-documents.js';

/** The object without `metadata.managedFields`: server-side apply bookkeeping, long and never linted. */
function withoutManagedFields(object: unknown): unknown {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) return object;
  const { metadata } = object as { metadata?: unknown };
  if (metadata === null || typeof metadata !== 'object' || !('managedFields' in metadata)) return object;
  const { managedFields: _dropped, ...rest } = metadata as Record<string, unknown>;
  return { ...object, metadata: rest };
}

/**
 * The object as YAML that reads back — the way kubectl reads YAML, 1.1 scalars — as exactly the same
 * value: every string that a plain scalar would turn into something else (`on`, `0755`, `0o17`, `~`)
 * is quoted. Should YAML still read back differently, the object is written as JSON (also YAML), so a
 * finding can never come from the rendering itself.
 */
export function renderObject(object: unknown): string {
  const value = withoutManagedFields(object);
  const document = new Document(value, { version: '1.1' });
  visit(document, {
    Scalar(_key, node) {
      if (
        isScalar(node) &&
        typeof node.value === 'string' &&
        resolveKubectlScalar(node.value) !== node.value
      ) {
        node.type = 'QUOTE_DOUBLE';
      }
    },
  });
  const yaml = document.toString({ lineWidth: 0 });
  const read = parseYamlDocuments(yaml);
  if (read.length === 1 && read[0]?.problems.length === 0 && isDeepStrictEqual(read[0].value, value)) {
    return yaml;
  }
  return `${JSON.stringify(value, null, 2)}\n`;
}
