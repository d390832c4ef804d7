/**
 * The bytes of an admission request's body to a JSON value: UTF-8 checked, nesting bounded, parsed,
 * `__proto__` keys dropped. JSON is UTF-8 (RFC 8259) and the API server sends nothing else: bytes that
 * are not are refused rather than silently replaced with U+FFFD, which would judge another text than
 * was sent. Nothing here recurses. Pure.
 */
import { isUtf8 } from 'node:buffer';

/**
 * Bodies nested deeper than this are refused before they are parsed. JSON.parse reads any depth, but
 * deep nesting costs it some twenty times as much per byte as a manifest: 7 MiB of brackets keep the
 * event loop busy for seconds. A review nests its objects three levels down, and the objects stop at
 * MAX_OBJECT_DEPTH (admission-depth.ts), far below this.
 */
export const MAX_BODY_DEPTH = 1000;

/** Why a body is no JSON we read; becomes HTTP 400 with `message` (never the body itself). */
export interface BodyProblem {
  code:
    | 'FST_ERR_CTP_EMPTY_JSON_BODY'
    | 'FST_ERR_CTP_INVALID_JSON_BODY'
    | 'ACID_GUARD_BODY_NOT_UTF8'
    | 'ACID_GUARD_BODY_TOO_DEEP';
  message: string;
}

export type BodyResult = { value: unknown } | { problem: BodyProblem };

/** Deletes every own `__proto__` key, as fastify's `onProtoPoisoning: 'remove'` would. Iterative. */
function dropProtoKeys(root: unknown): void {
  const stack: unknown[] = [root];
  for (let value = stack.pop(); value !== undefined; value = stack.pop()) {
    if (value === null || typeof value !== 'object') continue;
    if (Object.hasOwn(value, '__proto__')) Reflect.deleteProperty(value, '__proto__');
    for (const child of Object.values(value)) {
      if (child !== null && typeof child === 'object') stack.push(child);
    }
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_LIST = 0x5b;
const OPEN_MAP = 0x7b;
const CLOSE_LIST = 0x5d;
const CLOSE_MAP = 0x7d;

/** Whether brackets outside strings nest deeper than `limit`; stops as soon as they do. One pass. */
function nestsDeeperThan(raw: Buffer, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i] as number;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_LIST || byte === OPEN_MAP) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_LIST || byte === CLOSE_MAP) depth--;
  }
  return false;
}

export function parseBody(raw: Buffer): BodyResult {
  if (raw.length === 0) {
    return { problem: { code: 'FST_ERR_CTP_EMPTY_JSON_BODY', message: 'empty body' } };
  }
  if (!isUtf8(raw)) {
    return {
      problem: {
        code: 'ACID_GUARD_BODY_NOT_UTF8',
        message: 'the body is not valid UTF-8: send an AdmissionReview as JSON (UTF-8)',
      },
    };
  }
  if (nestsDeeperThan(raw, MAX_BODY_DEPTH)) {
    return {
      problem: {
        code: 'ACID_GUARD_BODY_TOO_DEEP',
        message: `the body nests deeper than ${MAX_BODY_DEPTH} levels: no AdmissionReview does`,
      },
    };
  }
  const text = raw.toString('utf8');
  let value: unknown;
  try {
    // JSON.parse makes `__proto__` an own data property (no prototype is set); it is dropped below
    // so that no later copy by assignment can turn it into one.
    value = JSON.parse(text);
  } catch {
    return { problem: { code: 'FST_ERR_CTP_INVALID_JSON_BODY', message: 'invalid JSON' } };
  }
  // The key is written either plainly or with a \u escape in it.
  if (text.includes('__proto__') || text.includes('\\u')) dropProtoKeys(value);
  return { value };
}
