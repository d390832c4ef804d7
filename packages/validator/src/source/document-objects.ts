import type { SourceDocument } from './yaml-documents.js';

/** One object of a file: a document, or an item of a `kind: List` (or `<Kind>List`) document. */
export interface DocumentObject {
  doc: SourceDocument;
  /** Path of the object in its document: '' or `items[3]`. */
  prefix: string;
  value: unknown;
}

/** The objects a document holds, as kubectl would apply them: a List's items one by one. */
export function objectsOfDocument(doc: SourceDocument): DocumentObject[] {
  const { value } = doc;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const { kind, items } = value as { kind?: unknown; items?: unknown };
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items)) {
      return items.map((item, i) => ({ doc, prefix: `items[${i}]`, value: item }));
    }
  }
  return value === undefined ? [] : [{ doc, prefix: '', value }];
}
