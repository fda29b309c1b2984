// Worker entry when the CLI runs from TypeScript sources (no build): registers tsx, then runs the worker.
import { register } from "tsx/esm/api";

register();
await import("./verify-worker.ts");
