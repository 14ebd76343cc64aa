/**
 * Per-key verification limits in fixed one-minute windows, per instance.
 * Holds an entry only for keys that have a limit and were used this minute.
 */
export class KeyRateLimiter {
  readonly #windows = new Map<number, { window: number; count: number }>();

  /** Counts one use; returns the seconds until the next window when over the limit, else 0. */
  take(keyId: number, limitPerMinute: number, now: number): number {
    const window = Math.floor(now / 60_000);
    const entry = this.#windows.get(keyId);
    if (!entry || entry.window !== window) {
      if (this.#windows.size > 50_000) this.#forgetBefore(window);
      this.#windows.set(keyId, { window, count: 1 });
      return 0;
    }
    entry.count += 1;
    if (entry.count <= limitPerMinute) return 0;
    return Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000));
  }

  #forgetBefore(window: number) {
    for (const [id, entry] of this.#windows) if (entry.window < window) this.#windows.delete(id);
  }
}

export const keyRateLimiter = new KeyRateLimiter();
