/**
 * Debian's nginx in front of app hosts, with the configuration a city installs
 * (deploy/nginx/shora.conf): only its upstream `server` lines and its `listen` line are replaced.
 * Runs in the foreground (`-g 'daemon off;'`) on a configuration in a temporary folder, never as the
 * system service. CI installs nginx (`apt-get install -y nginx-light`, .ci/run).
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname ?? __dirname, "../..");
export const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((file) => fs.existsSync(file));

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RunningNginx {
  url: string;
  stop(): Promise<void>;
}

/** nginx on a free port of 127.0.0.1, proxying to `upstreams` (`http://127.0.0.1:PORT` or `http://localhost:PORT`). */
export async function startNginx(upstreams: string[]): Promise<RunningNginx> {
  if (!NGINX) throw new Error("nginx is not installed: apt-get install -y nginx-light (see .ci/run)");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-nginx-"));
  const port = await freePort();
  const servers = upstreams.map((u) => `server 127.0.0.1:${new URL(u).port} max_fails=3 fail_timeout=10s;`);
  let snippet = fs.readFileSync(path.join(root, "deploy/nginx/shora.conf"), "utf8");
  const template = /^\s*server 127\.0\.0\.1:\d+[^;]*;\s*$/gm;
  const lines = snippet.match(template) ?? [];
  if (lines.length === 0 || !/^\s*listen 80;$/m.test(snippet)) throw new Error("deploy/nginx/shora.conf changed shape");
  snippet = snippet.replace(lines[0] as string, `    ${servers.join("\n    ")}`);
  for (const line of lines.slice(1)) snippet = snippet.replace(line, "");
  snippet = snippet.replace(/^\s*listen 80;$/m, `    listen 127.0.0.1:${port};`);
  const temp = (name: string) => `${name}_temp_path ${path.join(dir, name)};`;
  fs.writeFileSync(
    path.join(dir, "nginx.conf"),
    [
      "worker_processes 1;",
      `error_log ${path.join(dir, "error.log")} warn;`,
      `pid ${path.join(dir, "nginx.pid")};`,
      ...(process.getuid?.() === 0 ? ["user root;"] : []),
      "events { worker_connections 1024; }",
      "http {",
      `  access_log ${path.join(dir, "access.log")};`,
      `  ${temp("client_body")} ${temp("proxy")} ${temp("fastcgi")} ${temp("uwsgi")} ${temp("scgi")}`,
      snippet,
      "}",
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(NGINX, ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-g", "daemon off;"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}:\n${output}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline) throw new Error(`nginx did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGQUIT");
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
