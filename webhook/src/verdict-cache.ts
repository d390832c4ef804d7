/**
 * Verdicts by content. GitOps controllers send the same object again and again (Argo CD and Flux
 * dry-run every manifest on every sync), and a verdict depends only on what the request carries and
 * on the policy snapshot: so the answer to identical content is computed once. Bounded (least
 * recently used goes first) and emptied whenever the policy snapshot changes.
 */
import * as crypto from 'node:crypto';
import type { Verdict } from './admission.js';
import type { AdmissionApiVersion, ResponseTemplate } from './admission-review.js';
import type { PolicySnapshot } from './policy-source.js';

/** SHA-256 in base64: one call where Node has `crypto.hash` (20.12+). */
const sha256: (data: Buffer) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'base64')
    : (data) => crypto.createHash('sha256').update(data).digest('base64');

/** `2026-11-26` for an instant; the last answer is kept, since the day rarely changes. */
let lastDay = { start: 0, end: 0, text: '' };
function utcDay(now: Date): string {
  const time = now.getTime();
  if (time < lastDay.start || time >= lastDay.end) {
    const start = time - (time % 86_400_000);
    lastDay = { start, end: start + 86_400_000, text: now.toISOString().slice(0, 10) };
  }
  return lastDay.text;
}

/** A cached verdict, and its answer's JSON by review version once it has been sent. */
export interface CachedVerdict {
  readonly verdict: Verdict;
  readonly templates: Partial<Record<AdmissionApiVersion, ResponseTemplate>>;
}

export class VerdictCache {
  readonly #entries = new Map<string, CachedVerdict>();
  #snapshot: PolicySnapshot | undefined;

  constructor(
    /** Most verdicts kept; 0 turns the cache off. */
    readonly capacity: number,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The key of a request: its body as received with the request's uid taken out, the route and the
   * day (delete protection compares the date). Hashing the bytes costs a fraction of serialising the
   * parsed objects again. The uid is blanked (in place: the body was parsed already) wherever it
   * occurs as a JSON string: the API server makes a fresh random uid for every request, which the
   * objects it sends cannot contain, so two bodies with the same key carry the same objects.
   */
  key(route: string, rawBody: Buffer, uid: string, now: Date): string {
    const token = Buffer.from(JSON.stringify(uid));
    for (let at = rawBody.indexOf(token); at >= 0; at = rawBody.indexOf(token, at + token.length)) {
      rawBody.fill(0x20, at, at + token.length);
    }
    return `${route} ${utcDay(now)} ${sha256(rawBody)}`;
  }

  get(snapshot: PolicySnapshot, key: string): CachedVerdict | undefined {
    if (snapshot !== this.#snapshot) return undefined;
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      // Most recently used goes last: Map keeps insertion order.
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** Keeps a verdict (unless the cache is off) and returns its entry. */
  set(snapshot: PolicySnapshot, key: string, verdict: Verdict): CachedVerdict {
    const entry: CachedVerdict = { verdict, templates: {} };
    if (this.capacity <= 0) return entry;
    if (snapshot !== this.#snapshot) {
      this.#entries.clear();
      this.#snapshot = snapshot;
    }
    this.#entries.set(key, entry);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    return entry;
  }
}
