/**
 * Exponential backoff with jitter, bounded: the waits before reconnecting to an API server that
 * dropped a watch or refused a list. Each wait doubles up to `maxMs`; the jitter (half of each wait is
 * random, "equal jitter") keeps the replicas of the webhook from reconnecting in step after the API
 * server restarts.
 */
export interface BackoffOptions {
  /** The first wait (default 500 ms). */
  initialMs?: number;
  /** The longest wait (default 30 s). */
  maxMs?: number;
  /** A number in [0, 1): Math.random by default, fixed in tests. */
  random?: () => number;
}

export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 500;
    this.maxMs = Math.max(options.maxMs ?? 30_000, this.initialMs);
    this.#random = options.random ?? Math.random;
  }

  /** The next wait: between half and all of initialMs·2ⁿ, at most maxMs. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt += 1;
    return Math.round(ceiling / 2 + (this.#random() * ceiling) / 2);
  }

  /** After a healthy connection: the next wait is short again. */
  reset(): void {
    this.#attempt = 0;
  }
}
