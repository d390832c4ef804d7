import { open } from 'node:fs/promises';
import { MAX_INPUT_BYTES } from '../source/decode-text.js';
import { STDIN } from './input-files.js';
import { ToolError } from './tool-error.js';

/** Reads a file or stdin as bytes, refusing more than MAX_INPUT_BYTES with a clear error. */
export async function readInput(
  path: string,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<Uint8Array> {
  if (path === STDIN) return readStream(stdin);
  const handle = await open(path, 'r').catch((error: Error) => {
    throw new ToolError('UNREADABLE', `${path}: ${error.message}`);
  });
  try {
    const { size } = await handle.stat();
    if (size > MAX_INPUT_BYTES) throw tooLarge(path);
    return await handle.readFile();
  } catch (error) {
    if (ToolError.is(error)) throw error;
    throw new ToolError('UNREADABLE', `${path}: ${(error as Error).message}`);
  } finally {
    await handle.close();
  }
}

async function readStream(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += buffer.length;
    if (total > MAX_INPUT_BYTES) throw tooLarge('<stdin>');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function tooLarge(name: string): ToolError {
  return new ToolError('TOO_LARGE', `${name}: larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB, not read`);
}
