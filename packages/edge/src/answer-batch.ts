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
 * Writes the answers made during one turn of the event loop together, once
 * the turn's I/O is handled (its check phase, `setImmediate`), when the turn
 * before answered more than one; each answer still whole, in its own write on
 * its own socket, in the order made. A turn's first answer after a quiet turn
 * (one request at a time, an idle server) is written at once.
 *
 * Why: a process waiting for answers on many connections (a gateway, a load
 * balancer, a load generator) sleeps between them, and every answer written
 * the moment it is made wakes it again. Between processes on one machine the
 * wake-up is charged to the server's write (on a virtual machine, an interrupt
 * to another CPU). Written together, a busy turn's answers wake such a process
 * once, and the server runs its turns with more requests each: a warm
 * verification at 32 connections took a quarter less CPU (docs/performance.md,
 * "Fourteenth look").
 *
 * What it costs: an answer made while the turn reads requests and database
 * replies (the poll phase) waits for the rest of that turn's work, no more;
 * one made later in the turn, at most one more turn. A client that closes its
 * side, or pipelines a malformed request behind this one in the same packet,
 * within that wait gets no answer (Node ends the socket, or answers 400 and
 * closes it), where an answer written at once would have gone out first.
 *
 * An answer whose socket is gone by the flush is dropped (its log line says
 * the request was aborted). `failed` hears of an answer that could not be
 * written, with its response (which may be half sent by then) and the
 * context it was held with; if `failed` throws too, the socket is destroyed.
 */
export function answerBatch<Context>(failed: (res: ServerResponse, error: unknown, context: Context) => void) {
  let held: Held<Context>[] = [];
  let answeredThisTurn = 0;
  let answeredLastTurn = 0;
  let turnEnds = false;

  function write(res: ServerResponse, answer: RestAnswer, headers: string[], context: Context): void {
    if (res.destroyed || res.socket?.destroyed || res.socket?.writableEnded) return;
    try {
      writeAnswer(res, answer, headers);
    } catch (error) {
      try {
        failed(res, error, context);
      } catch {
        res.destroy();
      }
    }
  }

  function endTurnLater(): void {
    if (turnEnds) return;
    turnEnds = true;
    setImmediate(endTurn);
  }

  function endTurn(): void {
    turnEnds = false;
    answeredLastTurn = answeredThisTurn;
    answeredThisTurn = 0;
    const turn = held;
    held = [];
    for (const { res, answer, headers, context } of turn) write(res, answer, headers, context);
    // after a busy turn, one more turn's end: if nothing is answered in it, the next lone answer goes out at once
    if (answeredLastTurn > 1) endTurnLater();
  }

  /** Writes `answer` (with the leading `headers`, as writeAnswer takes them) now if it is alone, else at the turn's end. */
  return function answerSoon(res: ServerResponse, answer: RestAnswer, headers: string[], context: Context): void {
    answeredThisTurn += 1;
    endTurnLater();
    // one request at a time (the turn before answered one at most): nothing to write together, so no wait
    if (answeredThisTurn === 1 && answeredLastTurn <= 1) write(res, answer, headers, context);
    else held.push({ res, answer, headers, context });
  };
}
