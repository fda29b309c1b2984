/**
 * A real OpenID Connect provider for the tests (`oidc-provider`, the certified Node implementation),
 * on a local port behind a small forwarding server that can tamper with the next ID token it passes
 * on. Its test users carry a national ID and a birth date in their claims; its development sign-in
 * pages accept any password (the login name picks the user).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export interface TestPerson {
  email?: string;
  email_verified?: boolean;
  name?: string;
  national_id?: string;
  birthdate?: string;
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who signs in with which login name (add people at any time). */
  people: Map<string, TestPerson>;
  /** The next token response passes with its ID token's payload changed (the signature no longer fits). */
  tamperNextIdToken(): void;
  /** The next token response is held back `ms` before it is passed on. */
  holdNextToken(ms: number): void;
  /** The next redirect back to the client (its callback address) is changed by `change` on its way. */
  changeNextCallback(change: (callback: URL) => void): void;
  /** ID tokens from now on live `seconds` (the default is an hour). */
  idTokenSeconds(seconds: number): void;
  close(): Promise<void>;
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

export async function startTestProvider(options: {
  redirectUri: string;
  postLogoutUri: string;
}): Promise<TestProvider> {
  const front = http.createServer();
  const frontPort = await listen(front);
  const issuer = `http://127.0.0.1:${frontPort}`;
  const people = new Map<string, TestPerson>();
  let idTokenTtl = 3600;
  let tamper = false;
  let hold = 0;
  let changeCallback: ((callback: URL) => void) | null = null;
  const idTokenLifetime = () => idTokenTtl;
  const clientId = "shora-test";
  const clientSecret = "shora-test-secret-0123456789abcdef";
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris: [options.postLogoutUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    pkce: { required: () => true },
    scopes: ["openid", "email", "profile", "national_id"],
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "birthdate"],
      national_id: ["national_id"],
    },
    conformIdTokenClaims: false,
    cookies: { keys: ["shora-test-provider-cookie-key"] },
    ttl: { IdToken: idTokenLifetime },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    async findAccount(_ctx: unknown, id: string) {
      const person = people.get(id);
      if (!person) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...person }) };
    },
  });
  // oidc-provider's development pages say so on every request; the tests know.
  provider.on("server_error", () => {});
  const back = http.createServer(provider.callback());
  const backPort = await listen(back);
  front.on("request", (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const forward = http.request(
        { host: "127.0.0.1", port: backPort, method: req.method, path: req.url, headers: req.headers },
        async (answer) => {
          if (req.method === "POST" && req.url === "/token" && hold > 0) {
            const ms = hold;
            hold = 0;
            await new Promise((resolve) => setTimeout(resolve, ms));
          }
          const isToken = req.method === "POST" && req.url === "/token" && tamper;
          const location = answer.headers.location;
          if (changeCallback && location?.startsWith(options.redirectUri)) {
            const callback = new URL(location);
            changeCallback(callback);
            changeCallback = null;
            answer.headers.location = callback.toString();
          }
          if (!isToken) {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
            return;
          }
          tamper = false;
          const body: Buffer[] = [];
          answer.on("data", (c) => body.push(c));
          answer.on("end", () => {
            const json = JSON.parse(Buffer.concat(body).toString("utf8"));
            if (typeof json.id_token === "string") {
              const [header, payload, signature] = json.id_token.split(".");
              const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
              claims.national_id = "0000000000";
              json.id_token = [header, Buffer.from(JSON.stringify(claims)).toString("base64url"), signature].join(".");
            }
            const text = JSON.stringify(json);
            const headers = { ...answer.headers, "content-length": String(Buffer.byteLength(text)) };
            res.writeHead(answer.statusCode ?? 200, headers);
            res.end(text);
          });
        },
      );
      forward.on("error", () => {
        res.writeHead(502);
        res.end();
      });
      forward.end(Buffer.concat(chunks));
    });
  });
  return {
    issuer,
    clientId,
    clientSecret,
    people,
    tamperNextIdToken: () => {
      tamper = true;
    },
    holdNextToken: (ms) => {
      hold = ms;
    },
    changeNextCallback: (change) => {
      changeCallback = change;
    },
    idTokenSeconds: (seconds) => {
      idTokenTtl = seconds;
    },
    close: async () => {
      front.closeAllConnections();
      back.closeAllConnections();
      await Promise.all([
        new Promise((resolve) => front.close(resolve)),
        new Promise((resolve) => back.close(resolve)),
      ]);
    },
  };
}

/**
 * A person at the provider's pages, by plain HTTP (cookies kept): from the authorization address to
 * the redirect back to Shora (returned). `consent: false` cancels at the consent page instead.
 */
export async function signInAtProvider(
  authorizationUrl: string,
  input: { login: string; stopAt: string; consent?: boolean },
): Promise<string> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  let url = authorizationUrl;
  let body: URLSearchParams | null = null;
  for (let step = 0; step < 20; step++) {
    if (url.startsWith(input.stopAt)) return url;
    const response: Response = await fetch(url, {
      method: body ? "POST" : "GET",
      redirect: "manual",
      headers: {
        cookie: cookieHeader(),
        ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      body: body ?? undefined,
    });
    for (const c of response.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair.indexOf("=");
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    body = null;
    const location = response.headers.get("location");
    if (location) {
      url = new URL(location, url).toString();
      continue;
    }
    const html: string = await response.text();
    const submit = /action="([^"]+)"/.exec(html)?.[1];
    const prompt: string | undefined = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    if (!submit || !prompt) throw new Error(`unexpected provider page (${response.status}): ${html.slice(0, 300)}`);
    if (prompt === "consent" && input.consent === false) {
      url = new URL(/href="([^"]*abort[^"]*)"/.exec(html)![1], url).toString();
      continue;
    }
    url = new URL(submit, url).toString();
    body = new URLSearchParams(prompt === "login" ? { prompt, login: input.login, password: "any" } : { prompt });
  }
  throw new Error("the provider never sent the browser back");
}
