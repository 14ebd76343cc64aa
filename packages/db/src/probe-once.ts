import type pg from "pg";

/**
 * What a pool's database can do, asked once per pool: the first caller sends
 * `ask`, later ones share its answer. A failed question (a database that was
 * down says nothing about what it can do) is forgotten, so the next caller
 * asks again, and passed on to whoever was waiting for it.
 */
export function probeOnce(answers: WeakMap<pg.Pool, Promise<boolean>>, pool: pg.Pool, ask: (pool: pg.Pool) => Promise<boolean>): Promise<boolean> {
  let answer = answers.get(pool);
  if (!answer) {
    answer = ask(pool).catch((error: unknown) => {
      answers.delete(pool);
      throw error;
    });
    answers.set(pool, answer);
  }
  return answer;
}
