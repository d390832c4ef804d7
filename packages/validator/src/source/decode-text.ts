/** The largest input read, per file or stdin: far above any real manifest collection. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes bytes as UTF-8 text, or says why it is not text. */
export function decodeText(bytes: Uint8Array): { text: string } | { problem: string } {
  if (bytes.includes(0))
    return { problem: 'the file is binary (it contains NUL bytes), not YAML or JSON text' };
  try {
    return { text: decoder.decode(bytes) };
  } catch {
    return { problem: 'the file is not valid UTF-8 text' };
  }
}
