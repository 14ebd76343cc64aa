/**
 * Within this long of its last move to the back, a read entry keeps its
 * place: a hot key read thousands of times a second is not deleted and
 * re-inserted each time (two map writes per verification), and an entry used
 * in the last second is never the least recently used of a cache that holds
 * more than a second's worth of distinct keys.
 */
const REFRESH_AFTER_MS = 1_000;

/** Called once for an entry read when it is at least `afterMs` old (and younger than the TTL): to store a fresh one before it expires. */
export interface AgingHook<V> {
  afterMs: number;
  renew(key: string, value: V, now: number): void;
}

/**
 * A map bounded in entries and in age: the least recently used entry goes
 * first when full (to the second: see REFRESH_AFTER_MS), and an entry older
 * than `ttlMs` is gone when next read. With an aging hook, an entry read
 * once it is `afterMs` old is handed to it, once per entry stored.
 */
export class Lru<V> {
  readonly #entries = new Map<string, { value: V; storedAt: number; movedAt: number; renewing: boolean }>();
  aging: AgingHook<V> | undefined;

  constructor(
    readonly maxEntries: number,
    readonly ttlMs: number,
  ) {}

  get size() {
    return this.#entries.size;
  }

  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const age = now - entry.storedAt;
    if (age >= this.ttlMs) {
      this.#entries.delete(key);
      return undefined;
    }
    if (this.aging && age >= this.aging.afterMs && !entry.renewing) {
      entry.renewing = true;
      this.aging.renew(key, entry.value, now);
    }
    if (now - entry.movedAt >= REFRESH_AFTER_MS) {
      // refresh its place in the LRU order
      entry.movedAt = now;
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry.value;
  }

  set(key: string, value: V, now: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, storedAt: now, movedAt: now, renewing: false });
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  /** Whether `key` has an entry younger than `maxAgeMs` (and than the TTL); no effect on its place or on the aging hook. */
  hasFresh(key: string, now: number, maxAgeMs: number): boolean {
    const entry = this.#entries.get(key);
    return entry !== undefined && now - entry.storedAt < Math.min(maxAgeMs, this.ttlMs);
  }

  /** Drops every entry whose value `matches`. */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, entry] of this.#entries) if (matches(entry.value)) this.#entries.delete(key);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
