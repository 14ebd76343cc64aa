import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { type ScratchPostgres, startScratchPostgres } from "../lifecycle/index.ts";

/** The processes whose parent is `pid`, from /proc (Linux): a server's backends. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (command) state ppid …": the command may hold spaces, so read after its closing parenthesis
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

/**
 * A PostgreSQL of the test's own, to stall, shut down and stop without
 * disturbing the server every other test file shares.
 */
export async function privateServer(): Promise<ScratchPostgres & { signal(name: "STOP" | "CONT" | "TERM"): void }> {
  const server = await startScratchPostgres("keysmith-faults-", { migrate: false });
  return {
    ...server,
    /** Signals the postmaster; STOP and CONT reach its backends too (the whole server stalls and resumes). */
    signal(name) {
      const pid = Number(readFileSync(path.join(server.dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
      for (const target of name === "TERM" ? [pid] : [pid, ...childrenOf(pid)]) process.kill(target, `SIG${name}`);
    },
  };
}
