import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import type { Db } from "../../db/client";

export const CSRF = "t".repeat(32);

/** A browser in tests: its cookies, including the CSRF cookie the server would have set. */
export class TestBrowser {
  cookies = new Map<string, string>([["shora_csrf", CSRF]]);
  constructor(
    readonly db: Db,
    readonly ip = `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
  ) {}

  get context(): AppLoadContext {
    return { db: this.db, clientIp: this.ip };
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("; ");
  }

  absorb(response: Response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attrs] = header.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = decodeURIComponent(pair.slice(eq + 1).trim());
      if (attrs.some((a) => a.trim().toLowerCase() === "max-age=0") || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(path: string): Request {
    return new Request(`http://localhost${path}`, { headers: { cookie: this.cookieHeader() } });
  }

  post(path: string, fields: Record<string, string>, { csrf = CSRF }: { csrf?: string | null } = {}): Request {
    const body = new URLSearchParams(fields);
    if (csrf !== null) body.set("_csrf", csrf);
    return new Request(`http://localhost${path}`, {
      method: "POST",
      headers: { cookie: this.cookieHeader(), "content-type": "application/x-www-form-urlencoded" },
      body,
    });
  }
}

type Handler<A> = (args: A) => Promise<Response | unknown> | Response | unknown;

/** Runs a loader/action like Remix does; a thrown Response is returned as the response. */
export async function call<A extends LoaderFunctionArgs | ActionFunctionArgs>(
  handler: Handler<A>,
  browser: TestBrowser,
  request: Request,
  params: Record<string, string> = {},
): Promise<Response> {
  try {
    const result = await handler({ request, context: browser.context, params } as A);
    if (result instanceof Response) {
      browser.absorb(result);
      return result;
    }
    return new Response(JSON.stringify(result), { status: 200 });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}
