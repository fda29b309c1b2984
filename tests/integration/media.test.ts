/**
 * Photos and documents (ADR 0034): checked by content, re-encoded without metadata in every stored
 * size, refused with the form field named, stored in the database, a folder or an S3-compatible
 * bucket, and served with the security headers only to those who may see the owner.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { media, mediaFiles } from "../../db/schema";
import * as mediaRoute from "../../app/routes/m.$slug.media.$id.$file";
import * as proposeRoute from "../../app/routes/m.$slug.rounds.$round.propose";
import * as editRoute from "../../app/routes/m.$slug.rounds.$round.proposals.$proposal_.edit";
import * as proposalPage from "../../app/routes/m.$slug.rounds.$round.proposals.$proposal";
import { CSRF } from "../support/requests";
import { proposals } from "../../db/schema";
import { signV4 } from "../../app/domain/media/sigv4";
import { RefusedError } from "../../app/services/errors.server";
import { type MediaUpload, attachMedia, prepareMedia, storeMedia } from "../../app/services/media/media.server";
import { privateDatabase } from "../support/db";
import {
  type Member,
  type Town,
  makeEnvelope,
  makeMember,
  makeMunicipality,
  makeProposal,
  makeRound,
  makeUser,
  signIn,
} from "../support/factories";
import { TestBrowser, call } from "../support/requests";
import {
  gifJsPolyglot,
  hasMetadataTraces,
  jpegHtmlPolyglot,
  pdf,
  pdfHtmlPolyglot,
  pdfZipPolyglot,
  photoWithGps,
  pngClaiming,
  svgWithScript,
} from "../support/media";

let database: Database;
let drop: () => Promise<void>;
let town: Town;
let staff: Member;
let accepted: string;
let waiting: string;
let author: Awaited<ReturnType<typeof makeUser>>;
let roundSlug: string;
let envelopeSlug: string;

beforeAll(async () => {
  // The demo has one slug: on PostgreSQL its own database, so no other file's demo (and key store) is met.
  ({ database, drop } = await privateDatabase());
  town = await makeMunicipality(database.db);
  staff = await makeMember(database.db, { by: town.admin, email: `staff@${town.municipality.slug}.example` });
  author = await makeUser(database.db, { email: `author@${town.municipality.slug}.example` });
  const round = await makeRound(database.db, { by: town.admin, phase: "proposals" });
  const envelope = await makeEnvelope(database.db, { by: town.admin, round, amount: 10_000 });
  roundSlug = round.slug;
  envelopeSlug = envelope.slug;
  accepted = await makeProposal(database.db, { by: staff, round, envelope, title: { en: "Trees" } });
  waiting = await makeProposal(database.db, {
    by: staff,
    round,
    envelope,
    title: { en: "Bench" },
    status: "submitted",
    author,
  });
});
afterAll(() => drop?.());

const upload = (bytes: Uint8Array, over: Partial<MediaUpload> = {}): MediaUpload => ({
  field: "image1",
  bytes,
  fileName: "photo.jpg",
  alt: "A park",
  ...over,
});

async function refusal(promise: Promise<unknown>): Promise<{ code: string; field: string | null; status: number }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RefusedError) return { code: error.code, field: error.field, status: error.status };
    throw error;
  }
  throw new Error("not refused");
}

async function get(browser: TestBrowser, url: string) {
  const [, , slug, , id, file] = url.split("/");
  return call(mediaRoute.loader, browser, browser.get(url), { slug, id, file });
}

const scope = () => ({ municipality: town.municipality, actor: staff.actor });

describe("what is refused, naming the field", () => {
  it("an SVG with a script", async () => {
    expect(await refusal(prepareMedia(upload(svgWithScript, { fileName: "map.svg" })))).toMatchObject({
      code: "media_svg",
      field: "image1",
    });
  });
  it("a PDF that is also a page, or carries an archive", async () => {
    expect((await refusal(prepareMedia(upload(pdfHtmlPolyglot(), { field: "document1" })))).code).toBe(
      "media_polyglot",
    );
    expect((await refusal(prepareMedia(upload(pdfZipPolyglot(), { field: "document1" })))).code).toBe("media_polyglot");
  });
  it("a GIF header in front of a script (not an image)", async () => {
    expect((await refusal(prepareMedia(upload(gifJsPolyglot)))).code).toBe("media_unreadable");
  });
  it("a huge image: a small file claiming 30000×30000 pixels, and a file over 8 MB", async () => {
    expect(await refusal(prepareMedia(upload(pngClaiming())))).toMatchObject({
      code: "media_too_many_pixels",
      status: 413,
    });
    const big = new Uint8Array(9 * 1024 * 1024);
    big.set(await photoWithGps(64, 64));
    expect(await refusal(prepareMedia(upload(big)))).toMatchObject({
      code: "media_too_large",
      field: "image1",
      status: 413,
    });
  });
  it("an image without alternative text, and a file of another type", async () => {
    expect(await refusal(prepareMedia(upload(await photoWithGps(64, 64), { alt: "  " })))).toMatchObject({
      code: "media_alt_missing",
      field: "image1Alt",
    });
    expect((await refusal(prepareMedia(upload(new TextEncoder().encode("MZ\u0090 an exe"))))).code).toBe("media_type");
  });
  it("more images than the limit, and nothing is stored", async () => {
    const prepared = await prepareMedia(upload(await photoWithGps(64, 64)));
    const owner = { kind: "proposal", id: accepted };
    const before = await database.db.select().from(media).where(eq(media.ownerId, accepted));
    const refused = await refusal(
      database.db.transaction((tx) =>
        attachMedia(tx, scope(), { owner, add: [prepared, prepared, prepared, prepared, prepared] }),
      ),
    );
    expect(refused.code).toBe("media_too_many_images");
    expect(await database.db.select().from(media).where(eq(media.ownerId, accepted))).toHaveLength(before.length);
  });
});

describe("what is made safe", () => {
  it("a photo with GPS EXIF and XMP: no trace in any stored size", async () => {
    const original = await photoWithGps();
    expect(hasMetadataTraces(original)).toBe(true);
    expect((await sharp(original).metadata()).exif).toBeDefined();
    const stored = await database.db.transaction((tx) =>
      storeMedia(tx, scope(), { owner: { kind: "proposal", id: accepted }, media: upload(original) }),
    );
    expect(stored.widths).toEqual([320, 640, 1280]);
    expect([stored.width, stored.height]).toEqual([1280, 960]);
    const files = await database.db.select().from(mediaFiles).where(eq(mediaFiles.mediaId, stored.id));
    expect(files.map((f) => f.name).sort()).toEqual(["1280.webp", "320.webp", "640.webp"]);
    for (const file of files) {
      const bytes = file.data as Uint8Array;
      const meta = await sharp(bytes).metadata();
      expect(meta.format).toBe("webp");
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(hasMetadataTraces(bytes)).toBe(false);
      expect(meta.width).toBe(Number(file.name.split(".")[0]));
    }
    const response = await get(
      new TestBrowser(database.db),
      `/m/${town.municipality.slug}/media/${stored.id}/640.webp`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/webp");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const served = new Uint8Array(await response.arrayBuffer());
    expect(hasMetadataTraces(served)).toBe(false);
    expect((await sharp(served).metadata()).width).toBe(640);
  });
  it("a JPEG with a page after its end is re-encoded: the script is gone", async () => {
    const stored = await storeMedia(database.db, scope(), {
      owner: { kind: "proposal", id: accepted },
      media: upload(await jpegHtmlPolyglot()),
    });
    const files = await database.db.select().from(mediaFiles).where(eq(mediaFiles.mediaId, stored.id));
    expect(files).toHaveLength(1);
    expect(Buffer.from(files[0].data as Uint8Array).toString("latin1")).not.toContain("<script");
  });
  it("a PDF is kept byte for byte and only ever downloaded, in a sandbox", async () => {
    const bytes = pdf();
    const stored = await storeMedia(database.db, scope(), {
      owner: { kind: "proposal", id: accepted },
      media: upload(bytes, { field: "document1", fileName: '../../plan "final".pdf', alt: "" }),
    });
    expect(stored.fileName).toBe("plan final.pdf");
    const response = await get(
      new TestBrowser(database.db),
      `/m/${town.municipality.slug}/media/${stored.id}/document.pdf`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/pdf");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="plan final\.pdf"/);
    expect(response.headers.get("content-security-policy")).toContain("sandbox");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
  });
});

describe("who may see", () => {
  it("a waiting proposal's media: its author and staff, privately; nobody else", async () => {
    const stored = await storeMedia(
      database.db,
      { municipality: town.municipality, actor: { kind: "user", userId: author.id } },
      {
        owner: { kind: "proposal", id: waiting },
        media: upload(await photoWithGps(400, 300)),
      },
    );
    const url = `/m/${town.municipality.slug}/media/${stored.id}/400.webp`;
    expect((await get(new TestBrowser(database.db), url)).status).toBe(404);
    const stranger = await makeUser(database.db, { email: `stranger@${town.municipality.slug}.example` });
    expect((await get(await signIn(database.db, stranger), url)).status).toBe(404);
    const mine = await get(await signIn(database.db, author), url);
    expect(mine.status).toBe(200);
    expect(mine.headers.get("cache-control")).toBe("private, max-age=300");
    expect((await get(await signIn(database.db, staff.user), url)).status).toBe(200);
  });
  it("another municipality's address, an unknown file, a bad name: 404", async () => {
    const stored = await storeMedia(database.db, scope(), {
      owner: { kind: "proposal", id: accepted },
      media: upload(await photoWithGps(300, 200)),
    });
    const other = await makeMunicipality(database.db);
    const browser = new TestBrowser(database.db);
    expect((await get(browser, `/m/${other.municipality.slug}/media/${stored.id}/300.webp`)).status).toBe(404);
    expect((await get(browser, `/m/${town.municipality.slug}/media/${stored.id}/640.webp`)).status).toBe(404);
    expect((await get(browser, `/m/${town.municipality.slug}/media/${stored.id}/..%2f.webp`)).status).toBe(404);
  });
});

describe("storage drivers", () => {
  it("a folder (SHORA_MEDIA_DIR): the bytes are files there, no bytes in the database", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-media-"));
    process.env.SHORA_MEDIA_DIR = dir;
    try {
      const stored = await storeMedia(database.db, scope(), {
        owner: { kind: "proposal", id: accepted },
        media: upload(await photoWithGps(500, 400)),
      });
      const [row] = await database.db.select().from(mediaFiles).where(eq(mediaFiles.mediaId, stored.id));
      expect(row.storage).toBe("dir");
      expect(row.data).toBeNull();
      expect(fs.existsSync(path.join(dir, stored.id, "500.webp"))).toBe(true);
      const response = await get(
        new TestBrowser(database.db),
        `/m/${town.municipality.slug}/media/${stored.id}/500.webp`,
      );
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(
        new Uint8Array(fs.readFileSync(path.join(dir, stored.id, "500.webp"))),
      );
    } finally {
      delete process.env.SHORA_MEDIA_DIR;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an S3-compatible bucket: signed requests (SigV4) to a fake S3 server", async () => {
    const objects = new Map<string, Buffer>();
    const refused: string[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
        const auth = String(req.headers.authorization ?? "");
        const signed = (auth.match(/SignedHeaders=([^,]+)/)?.[1] ?? "").split(";");
        const headers: Record<string, string> = {};
        for (const name of signed) if (!name.startsWith("x-amz-")) headers[name] = String(req.headers[name] ?? "");
        const expected = signV4({
          method: req.method ?? "GET",
          url,
          headers,
          payloadHash: String(req.headers["x-amz-content-sha256"]),
          region: "eu-test-1",
          service: "s3",
          accessKeyId: "AKTEST",
          secretAccessKey: "s3cr3t",
          date: new Date(
            String(req.headers["x-amz-date"]).replace(
              /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/,
              "$1-$2-$3T$4:$5:$6Z",
            ),
          ),
        }).authorization;
        const bodyHash = createHash("sha256").update(body).digest("hex");
        if (auth !== expected || bodyHash !== req.headers["x-amz-content-sha256"]) {
          refused.push(`${req.method} ${url.pathname}`);
          res.writeHead(403).end("SignatureDoesNotMatch");
          return;
        }
        if (req.method === "PUT") objects.set(url.pathname, body);
        if (req.method === "GET" && !objects.has(url.pathname)) return void res.writeHead(404).end();
        if (req.method === "DELETE") objects.delete(url.pathname);
        res.writeHead(200).end(req.method === "GET" ? objects.get(url.pathname) : undefined);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    Object.assign(process.env, {
      SHORA_MEDIA_S3_ENDPOINT: `http://127.0.0.1:${port}`,
      SHORA_MEDIA_S3_BUCKET: "shora-media",
      SHORA_MEDIA_S3_REGION: "eu-test-1",
      SHORA_MEDIA_S3_ACCESS_KEY_ID: "AKTEST",
      SHORA_MEDIA_S3_SECRET_ACCESS_KEY: "s3cr3t",
    });
    try {
      const stored = await storeMedia(database.db, scope(), {
        owner: { kind: "proposal", id: accepted },
        media: upload(await photoWithGps(700, 500)),
      });
      expect(refused).toEqual([]);
      expect([...objects.keys()].sort()).toEqual([
        `/shora-media/${stored.id}/320.webp`,
        `/shora-media/${stored.id}/640.webp`,
        `/shora-media/${stored.id}/700.webp`,
      ]);
      const rows = await database.db.select().from(mediaFiles).where(eq(mediaFiles.mediaId, stored.id));
      expect(rows.every((r) => r.storage === "s3" && r.data === null)).toBe(true);
      const response = await get(
        new TestBrowser(database.db),
        `/m/${town.municipality.slug}/media/${stored.id}/640.webp`,
      );
      expect(response.status).toBe(200);
      expect(
        Buffer.from(await response.arrayBuffer()).equals(objects.get(`/shora-media/${stored.id}/640.webp`) as Buffer),
      ).toBe(true);
      expect(refused).toEqual([]);
    } finally {
      for (const name of ["ENDPOINT", "BUCKET", "REGION", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY"])
        delete process.env[`SHORA_MEDIA_S3_${name}`];
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

/** A multipart form as a browser sends it, with binary files. */
function multipart(
  browser: TestBrowser,
  fields: Record<string, string>,
  files: Record<string, { bytes: Uint8Array; name: string; type: string }>,
) {
  const body = new FormData();
  body.set("_csrf", CSRF);
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  for (const [k, f] of Object.entries(files)) body.set(k, new File([f.bytes as Uint8Array<ArrayBuffer>], f.name, { type: f.type }));
  return new Request("http://localhost/x", { method: "POST", headers: { cookie: browser.cookieHeader() }, body });
}

describe("the propose and edit forms (multipart, no JavaScript needed)", () => {
  const fields = () => ({
    envelopeSlug,
    titleEn: `Shade ${Math.random()}`,
    bodyEn: "Trees",
    cost: "500",
    districtId: "",
    location: "",
  });
  const params = () => ({ slug: town.municipality.slug, round: roundSlug });
  const count = async () => (await database.db.select().from(proposals)).length;

  it("a proposal with a photo (GPS stripped) and a PDF, in one go; its page shows them to the author", async () => {
    const browser = await signIn(database.db, author);
    const response = await call(
      proposeRoute.action,
      browser,
      multipart(
        browser,
        { ...fields(), image1Alt: "The square at noon", document1Alt: "Cost estimate" },
        {
          image1: { bytes: await photoWithGps(), name: "IMG_0001.JPG", type: "image/jpeg" },
          document1: { bytes: pdf(), name: "estimate.pdf", type: "application/pdf" },
        },
      ),
      params(),
    );
    expect(response.status).toBe(302);
    const id = String(response.headers.get("location")).split("/").pop() as string;
    const rows = await database.db.select().from(media).where(eq(media.ownerId, id));
    expect(rows.map((r) => [r.kind, r.alt]).sort()).toEqual([
      ["document", "Cost estimate"],
      ["image", "The square at noon"],
    ]);
    const page = await call(proposalPage.loader, browser, browser.get("/x"), { ...params(), proposal: id });
    const data = await page.json();
    expect(data.media.map((m: { alt: string }) => m.alt).sort()).toEqual(["Cost estimate", "The square at noon"]);
    for (const file of await database.db
      .select()
      .from(mediaFiles)
      .where(eq(mediaFiles.mediaId, rows.find((r) => r.kind === "image")?.id ?? "")))
      expect(hasMetadataTraces(file.data as Uint8Array)).toBe(false);

    // Editing: the photo is removed, another added.
    const image = rows.find((r) => r.kind === "image")?.id as string;
    const edited = await call(
      editRoute.action,
      browser,
      multipart(
        browser,
        { ...fields(), intent: "save", removeMedia: image, image2Alt: "The bench" },
        {
          image2: { bytes: await photoWithGps(300, 200), name: "b.jpg", type: "image/jpeg" },
        },
      ),
      { ...params(), proposal: id },
    );
    expect(edited.status).toBe(302);
    const after = await database.db.select().from(media).where(eq(media.ownerId, id));
    expect(after.map((r) => r.alt).sort()).toEqual(["Cost estimate", "The bench"]);
  });

  it("an SVG, a photo without description: 400 naming each field, and no proposal", async () => {
    const browser = await signIn(database.db, author);
    const before = await count();
    const response = await call(
      proposeRoute.action,
      browser,
      multipart(
        browser,
        { ...fields(), image1Alt: "Map", image2Alt: "" },
        {
          image1: { bytes: svgWithScript, name: "map.png", type: "image/png" },
          image2: { bytes: await photoWithGps(100, 100), name: "p.jpg", type: "image/jpeg" },
        },
      ),
      params(),
    );
    expect(response.status).toBe(400);
    const { errors } = await response.json();
    expect(errors.image1).toMatch(/SVG/);
    expect(errors.image2Alt).toMatch(/Describe what the photo shows/);
    expect(await count()).toBe(before);
  });

  it("a body over the limit: 413 on the photo field, before it is read", async () => {
    const browser = await signIn(database.db, author);
    const request = new Request("http://localhost/x", {
      method: "POST",
      headers: {
        cookie: browser.cookieHeader(),
        "content-type": "multipart/form-data; boundary=x",
        "content-length": String(200 * 1024 * 1024),
      },
      body: "--x--",
    });
    const response = await call(proposeRoute.action, browser, request, params());
    expect(response.status).toBe(413);
    expect((await response.json()).errors.image1).toMatch(/larger than \d+ MB/);
  });
});

describe("the demo's photos", () => {
  it("every proposal of the round gets one drawn photo, stored like an upload; seeding again adds none", async () => {
    const { seedDemoPhotos } = await import("../../app/services/demo/demo-photos.server");
    const demoTown = await makeMunicipality(database.db);
    const round = await makeRound(database.db, { by: demoTown.admin, phase: "proposals" });
    const envelope = await makeEnvelope(database.db, { by: demoTown.admin, round, amount: 10_000 });
    const ids = [
      await makeProposal(database.db, { by: demoTown.admin, round, envelope, title: { en: "Trees", fa: "درخت" } }),
      await makeProposal(database.db, { by: demoTown.admin, round, envelope, title: { en: "Bench", fa: "نیمکت" } }),
    ];
    expect(await seedDemoPhotos(database.db, { slug: demoTown.municipality.slug, roundSlug: round.slug })).toBe(2);
    expect(await seedDemoPhotos(database.db, { slug: demoTown.municipality.slug, roundSlug: round.slug })).toBe(0);
    const rows = await database.db.select().from(media).where(eq(media.municipalityId, demoTown.municipality.id));
    expect(rows.map((r) => r.ownerId).sort()).toEqual([...ids].sort());
    expect(rows.every((r) => r.kind === "image" && r.widths.join() === "320,640" && r.alt.includes("«"))).toBe(true);
  });
});
