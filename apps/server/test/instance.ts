// A real apps/server process on a free port, started the way the benchmark starts it.
export { type ProcessEnv, type Server as Instance, startApi as startInstance } from "../bench/processes.ts";
