import { type ServerResponse } from "node:http";

import { type RestAnswer } from "@keysmith/rest";

import { writeAnswer } from "./write-response.ts";

interface Held<Context> {
  res: ServerResponse;
  answer: RestAnswer;
  headers: string[];
  context: Context;
}

/**
 * Holds the answers made during one turn of the event loop and writes them
 * together once the turn's I/O is handled (its check phase, `setImmediate`):
 * each still whole, in its own write on its own socket, in the order made.
 *
 * Why: a client waiting for its answer sleeps, and an answer written the
 * moment it is made wakes it, once per answer. On a virtual machine each
 * wake-up is an interrupt to another CPU, charged to the server's write.
 * Written together, the answers of a turn wake each client once for the lot,
 * and the server spends a quarter less CPU on a warm verification
 * (docs/performance.md, "Fourteenth look"). An answer waits at most for the
 * rest of its turn's requests; on an idle server its turn holds only itself.
 *
 * An answer whose client has gone by then is dropped (its log line already
 * says so). `failed` hears of an answer that could not be written, with its
 * response (which may be half sent by then) and the context it was held with.
 */
export function answerBatch<Context>(failed: (res: ServerResponse, error: unknown, context: Context) => void) {
  let held: Held<Context>[] = [];
  let answeredThisTurn = 0;
  let answeredLastTurn = 0;
  let turnEnds = false;

  function write(res: ServerResponse, answer: RestAnswer, headers: string[], context: Context): void {
    if (res.destroyed) return;
    try {
      writeAnswer(res, answer, headers);
    } catch (error) {
      failed(res, error, context);
    }
  }

  function endTurn(): void {
    turnEnds = false;
    answeredLastTurn = answeredThisTurn;
    answeredThisTurn = 0;
    const turn = held;
    held = [];
    for (const { res, answer, headers, context } of turn) write(res, answer, headers, context);
  }

  /** Writes `answer` (with the leading `headers`, as writeAnswer takes them) now if it is alone, else once this turn's I/O is handled. */
  return function answerSoon(res: ServerResponse, answer: RestAnswer, headers: string[], context: Context): void {
    answeredThisTurn += 1;
    if (!turnEnds) {
      turnEnds = true;
      setImmediate(endTurn);
    }
    // one request at a time (the last turn answered one at most): nothing to wake together, so no wait
    if (answeredThisTurn === 1 && answeredLastTurn <= 1) write(res, answer, headers, context);
    else held.push({ res, answer, headers, context });
  };
}
