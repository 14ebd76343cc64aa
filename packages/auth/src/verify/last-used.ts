import { getPool, onDisconnect } from "@keysmith/db";

/**
 * Records when keys were last used without a database write per
 * verification: uses are collected in memory and written together, once a
 * minute at most per key, in one UPDATE (and on shutdown).
 */
export class LastUsedRecorder {
  readonly #pending = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(readonly flushEveryMs = 60_000) {}

  record(keyId: number, at: number): void {
    const previous = this.#pending.get(keyId);
    if (previous === undefined || at > previous) this.#pending.set(keyId, at);
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.flush().catch(() => undefined), this.flushEveryMs);
      this.#timer.unref();
      onDisconnect(() => this.stop());
    }
  }

  get pendingCount() {
    return this.#pending.size;
  }

  /** Writes what is pending; returns how many keys it updated. */
  async flush(): Promise<number> {
    if (this.#pending.size === 0) return 0;
    const batch = [...this.#pending];
    this.#pending.clear();
    const ids = batch.map(([id]) => id);
    // timestamp columns hold UTC; PostgreSQL ignores the Z when casting to timestamp
    const times = batch.map(([, at]) => new Date(at).toISOString());
    try {
      const result = await getPool().query(
        `UPDATE api_keys SET last_used_at = v.t
           FROM unnest($1::int[], $2::timestamp[]) AS v(id, t)
          WHERE api_keys.id = v.id AND (api_keys.last_used_at IS NULL OR api_keys.last_used_at < v.t)`,
        [ids, times],
      );
      return result.rowCount ?? 0;
    } catch (error) {
      // keep the uses for the next try rather than lose them
      for (const [id, at] of batch) if (!this.#pending.has(id)) this.#pending.set(id, at);
      throw error;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush().catch(() => undefined);
  }
}

export const lastUsed = new LastUsedRecorder();
