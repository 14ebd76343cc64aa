import { Lru } from "./lru.ts";

/** A lookup in flight, and whether its entry was invalidated while it was. */
export interface LookupTicket {
  readonly key: string;
  readonly epoch: number;
  readonly watch: { invalidated: boolean; pending: number; shared?: Promise<unknown> };
  /** A shared lookup's answer, which others may join (as the watch's `shared`) until settle() ends the sharing. */
  shared: Promise<unknown> | undefined;
  /** Set by settle(): a read that ended before readThroughShared could offer it (it threw at once) is not offered. */
  settled: boolean;
}

/**
 * A cache kept exact by invalidation (LISTEN/NOTIFY, see
 * verify/key-events.ts); the TTL only bounds the damage of a missed
 * notification. Found entries and "there is none" answers live in separate
 * LRUs, so answers anyone can provoke (invented keys) never evict real ones.
 *
 * A lookup that was in flight when its entry was invalidated (or the whole
 * cache cleared) is answered but not cached: the row it read may be the one
 * the invalidation replaced.
 */
export class InvalidatedCache<Known, Unknown = never> {
  readonly known: Lru<Known>;
  readonly unknown: Lru<Unknown>;
  readonly #isKnown: (value: Known | Unknown) => value is Known;
  readonly #inFlight = new Map<string, LookupTicket["watch"]>();
  /** Bumped by clear(): tickets from before it cache nothing. */
  #epoch = 0;

  constructor(isKnown: (value: Known | Unknown) => value is Known, options: { maxKnown: number; maxUnknown: number; ttlMs: number }) {
    this.#isKnown = isKnown;
    this.known = new Lru(options.maxKnown, options.ttlMs);
    this.unknown = new Lru(options.maxUnknown, options.ttlMs);
  }

  /** Cached found entries (the figure /healthz reports). */
  get size() {
    return this.known.size;
  }

  get(key: string, now: number): Known | Unknown | undefined {
    return this.known.get(key, now) ?? this.unknown.get(key, now);
  }

  /** Call before reading the database for `key`; hand the ticket to settle(). */
  beginLookup(key: string): LookupTicket {
    let watch = this.#inFlight.get(key);
    if (!watch) {
      watch = { invalidated: false, pending: 0 };
      this.#inFlight.set(key, watch);
    }
    watch.pending += 1;
    return { key, epoch: this.#epoch, watch, shared: undefined, settled: false };
  }

  /** When a found entry in use is read again (renewFoundInUse): in the last third of its life. */
  get renewAfterMs(): number {
    return (this.known.ttlMs * 2) / 3;
  }

  /**
   * Keeps found entries in use from expiring on the request path: one read
   * once it is renewAfterMs old is read again with `read`, in the
   * background, once, while the read that noticed is answered from the
   * cache; the answer replaces it as a lookup's would (see settle), and
   * nothing found drops it. An entry is still never answered from once its
   * TTL is up: a read that fails, or is discarded by an invalidation, leaves
   * it to expire, and the next lookup answers for itself.
   */
  renewFoundInUse(read: (key: string, found: Known, now: number) => Promise<Known | Unknown | undefined>): void {
    this.known.aging = {
      afterMs: this.renewAfterMs,
      renew: (key, found, now) => {
        const renewal = this.readThrough(key, now, async () => {
          const value = await read(key, found, now);
          // gone, as far as `read` can tell (a row deleted without this instance hearing)
          if (value === undefined) this.known.delete(key);
          return value;
        });
        // no one's request: its failure is left to the next lookup
        renewal.catch(() => undefined);
      },
    };
  }

  /** Reads `key` from the database with `read`, and caches the answer unless the entry is invalidated meanwhile (see settle). */
  readThrough<V extends Known | Unknown | undefined>(key: string, now: number, read: () => Promise<V>): Promise<V> {
    return this.#readFor(this.beginLookup(key), now, read);
  }

  async #readFor<V extends Known | Unknown | undefined>(ticket: LookupTicket, now: number, read: () => Promise<V>): Promise<V> {
    let value: V | undefined;
    try {
      value = await read();
    } finally {
      this.settle(ticket, value, now);
    }
    return value;
  }

  /**
   * readThrough, but a caller that comes while a shared read of `key` is in
   * flight, and no invalidation of it has come since that read began, gets
   * that read's answer rather than reading again: for entries that many
   * lookups need at once (an owner of many keys renewed or first verified
   * together). A caller after an invalidation starts a read of its own, since
   * the one in flight may have read the row the invalidation replaced.
   */
  readThroughShared<V extends Known | Unknown | undefined>(key: string, now: number, read: () => Promise<V>): Promise<V> {
    const joined = this.#inFlight.get(key)?.shared as Promise<V> | undefined;
    // only its answer is shared: should it fail (a lost connection), each who joined reads for themselves
    if (joined) return joined.catch(() => this.readThrough(key, now, read));
    const ticket = this.beginLookup(key);
    // the watch is this read's, or also an unshared one's; settle() ends the sharing (no promise reaction of its own per read)
    const reading = this.#readFor(ticket, now, read);
    if (!ticket.settled) {
      ticket.shared = reading;
      ticket.watch.shared = reading;
    }
    return reading;
  }

  /** Ends a lookup; caches what it read unless the entry was invalidated meanwhile. `value` undefined: nothing to cache. */
  settle(ticket: LookupTicket, value: Known | Unknown | undefined, now: number): void {
    // answered: no longer in flight to join (an unshared read may still hold the watch)
    ticket.settled = true;
    if (ticket.shared !== undefined && ticket.watch.shared === ticket.shared) ticket.watch.shared = undefined;
    ticket.watch.pending -= 1;
    if (ticket.watch.pending === 0 && this.#inFlight.get(ticket.key) === ticket.watch) this.#inFlight.delete(ticket.key);
    if (value === undefined || ticket.watch.invalidated || ticket.epoch !== this.#epoch) return;
    // one answer per key: a lookup that finds a known key gone (or an unknown one stored) replaces the other kind
    if (this.#isKnown(value)) {
      this.known.set(ticket.key, value, now);
      this.unknown.delete(ticket.key);
    } else {
      this.unknown.set(ticket.key, value, now);
      this.known.delete(ticket.key);
    }
  }

  delete(key: string): void {
    this.known.delete(key);
    this.unknown.delete(key);
    const watch = this.#inFlight.get(key);
    if (watch) {
      watch.invalidated = true;
      // later lookups of this key read after the change: watch them afresh
      this.#inFlight.delete(key);
    }
  }

  /** Drops the found entries `matches` picks, and caches nothing from lookups now in flight (their rows may be older). */
  deleteWhere(matches: (value: Known) => boolean): void {
    this.known.deleteWhere(matches);
    this.abandonLookups();
  }

  /**
   * Caches nothing from the lookups now in flight, and lets no one join them:
   * a change was heard that any of them may have read before (an owner's,
   * whose walk over the cache waits for a batch; see key-events.ts).
   */
  abandonLookups(): void {
    this.#inFlight.clear();
    this.#epoch += 1;
  }

  clear(): void {
    this.known.clear();
    this.unknown.clear();
    this.abandonLookups();
  }
}
