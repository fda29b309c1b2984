#!/usr/bin/env node
// Entry of the `shora` command. The CLI is TypeScript run through tsx's loader, so
// the very same domain modules serve the server, the CLI and the tests.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./main.ts");
const code = await main(process.argv.slice(2));
process.exitCode = code;
