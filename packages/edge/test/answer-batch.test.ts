import { type ServerResponse } from "node:http";
import { setImmediate as turnEnded } from "node:timers/promises";

import { expect, test } from "vitest";

import { answerBatch } from "../src/answer-batch.ts";

/** A response that records what is written to it (and whether it was destroyed), in one list shared by all of them. */
function responses(written: string[]) {
  return (name: string, options: { throws?: boolean } = {}) =>
    ({
      destroyed: false,
      socket: { destroyed: false, writableEnded: false },
      destroy() {
        written.push(`${name} destroyed`);
      },
      writeHead(status: number, headers: string[]) {
        if (options.throws) throw new TypeError(`${name}: invalid header`);
        written.push(`${name} head ${status} ${headers.join(",")}`);
      },
      end(body: string) {
        written.push(`${name} body ${body}`);
      },
    }) as unknown as ServerResponse;
}

const answer = (body: string) => ({ status: 200, headers: { "content-type": "application/json" }, body });

test("a turn's first answer, after a turn of one answer at most, is written at once", async () => {
  const written: string[] = [];
  const response = responses(written);
  const answerSoon = answerBatch(() => {});
  answerSoon(response("a"), answer("{}"), ["x-request-id", "1"], undefined);
  expect(written).toEqual(["a head 200 x-request-id,1,content-type,application/json,content-length,2", "a body {}"]);
  await turnEnded();
  answerSoon(response("b"), answer("[]"), [], undefined);
  expect(written.slice(2)).toEqual(["b head 200 content-type,application/json,content-length,2", "b body []"]);
});

test("a turn's later answers wait for the turn's end, then go out whole in the order made; the turn after a busy one holds its first too", async () => {
  const written: string[] = [];
  const response = responses(written);
  const answerSoon = answerBatch(() => {});
  answerSoon(response("a"), answer("1"), [], undefined);
  answerSoon(response("b"), answer("2"), [], undefined);
  answerSoon(response("c"), answer("3"), [], undefined);
  expect(written.map((line) => line.split(" ")[0])).toEqual(["a", "a"]);
  await turnEnded();
  expect(written.slice(2)).toEqual([
    "b head 200 content-type,application/json,content-length,1",
    "b body 2",
    "c head 200 content-type,application/json,content-length,1",
    "c body 3",
  ]);

  answerSoon(response("d"), answer("4"), [], undefined);
  expect(written).toHaveLength(6);
  await turnEnded();
  expect(written.slice(6)).toEqual(["d head 200 content-type,application/json,content-length,1", "d body 4"]);

  // that turn answered one: the next writes its first at once again
  answerSoon(response("e"), answer("5"), [], undefined);
  expect(written.slice(8)).toEqual(["e head 200 content-type,application/json,content-length,1", "e body 5"]);
});

test("after a busy turn and then a turn that answered nothing, a lone answer is written at once", async () => {
  const written: string[] = [];
  const response = responses(written);
  const answerSoon = answerBatch(() => {});
  answerSoon(response("a"), answer("1"), [], undefined);
  answerSoon(response("b"), answer("2"), [], undefined);
  await turnEnded();
  await turnEnded();
  answerSoon(response("c"), answer("3"), [], undefined);
  expect(written.map((line) => line.split(" ")[0])).toEqual(["a", "a", "b", "b", "c", "c"]);
});

test("a held answer is not written when, before the turn ended, its response was destroyed, its socket destroyed or its socket's writing side ended", async () => {
  const written: string[] = [];
  const response = responses(written);
  const answerSoon = answerBatch(() => {});
  answerSoon(response("a"), answer("1"), [], undefined);
  const destroyed = response("b");
  const socketDestroyed = response("c");
  const socketEnded = response("d");
  for (const res of [destroyed, socketDestroyed, socketEnded, response("e")]) answerSoon(res, answer("2"), [], undefined);
  (destroyed as { destroyed: boolean }).destroyed = true;
  (socketDestroyed.socket as { destroyed: boolean }).destroyed = true;
  (socketEnded.socket as { writableEnded: boolean }).writableEnded = true;
  await turnEnded();
  expect(written.map((line) => line.split(" ")[0])).toEqual(["a", "a", "e", "e"]);
});

test("a held answer that fails to write reaches `failed` with its response and context, and the turn's other answers are still written", async () => {
  const written: string[] = [];
  const response = responses(written);
  const failures: Array<{ res: ServerResponse; message: string; context: string }> = [];
  const answerSoon = answerBatch<string>((res, error, context) => failures.push({ res, message: (error as Error).message, context }));
  answerSoon(response("a"), answer("1"), [], "first");
  const broken = response("b", { throws: true });
  answerSoon(broken, answer("2"), [], "second");
  answerSoon(response("c"), answer("3"), [], "third");
  await turnEnded();
  expect(failures).toEqual([{ res: broken, message: "b: invalid header", context: "second" }]);
  expect(written.map((line) => line.split(" ")[0])).toEqual(["a", "a", "c", "c"]);
});

test("a held answer whose `failed` throws too has its response destroyed, and the turn's other answers are still written", async () => {
  const written: string[] = [];
  const response = responses(written);
  const answerSoon = answerBatch(() => {
    throw new Error("the fallback broke too");
  });
  answerSoon(response("a"), answer("1"), [], undefined);
  answerSoon(response("b", { throws: true }), answer("2"), [], undefined);
  answerSoon(response("c"), answer("3"), [], undefined);
  await turnEnded();
  expect(written.map((line) => line.split(" ").slice(0, 2).join(" "))).toEqual(["a head", "a body", "b destroyed", "c head", "c body"]);
});
