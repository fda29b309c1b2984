/**
 * Photos and documents attached to records of any area (ADR 0034). Checked by content, never by
 * name; images decoded once, re-encoded with sharp to a few widths of WebP with no metadata at all
 * (EXIF and its GPS position, XMP, ICC, comments), so nothing an upload carried rides along; PDFs
 * kept byte for byte after the polyglot check and only ever served as downloads.
 *
 * The generic API: `prepareMedia` (CPU work, outside any transaction, refusals naming the form
 * field), `storeMedia`/`attachMedia` (inside the owner's transaction), `mediaOf` (for pages),
 * `readMediaFile` (for the serving route, with the owner's visibility rule, owners.server.ts).
 */
import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, max } from "drizzle-orm";
import sharp from "sharp";
import type { Db, Tx } from "../../../db/client";
import { media, mediaFiles } from "../../../db/schema";
import {
  MAX_DOCUMENTS,
  MAX_IMAGES,
  MAX_IMAGE_PIXELS,
  checkAlt,
  checkBytes,
  checkPixels,
  safeFileName,
  sniffMedia,
  widthsFor,
} from "../../domain/media/media";
import { RefusedError } from "../errors.server";
import type { Scope } from "../scope";
import { actorUserId } from "../scope";
import { mediaOwnerAccess } from "./owners.server";
import { externalStore, storeFor } from "./storage.server";

export type MediaRefusal =
  | "media_empty"
  | "media_type"
  | "media_svg"
  | "media_polyglot"
  | "media_too_large"
  | "media_too_many_pixels"
  | "media_unreadable"
  | "media_alt_missing"
  | "media_alt_long"
  | "media_too_many_images"
  | "media_too_many_documents"
  | "media_not_found";

/** What a record's media belong to: the area's kind ("proposal", "implementation_update", …) and the id. */
export interface MediaOwner {
  kind: string;
  id: string;
}

/** One uploaded file as the form gave it. `field` is the form field named by a refusal. */
export interface MediaUpload {
  field: string;
  bytes: Uint8Array;
  fileName: string;
  /** An image's alternative text (required for images); a document's title (its file name if empty). */
  alt: string | null;
}

export interface PreparedFile {
  name: string;
  contentType: string;
  bytes: Uint8Array;
}

/** An upload checked and converted, ready to store. */
export interface PreparedMedia {
  field: string;
  kind: "image" | "document";
  fileName: string;
  alt: string;
  width: number;
  height: number;
  widths: number[];
  byteLength: number;
  files: PreparedFile[];
}

/** A stored medium as pages show it (URLs from app/domain/media/urls.ts). */
export interface MediaView {
  id: string;
  ownerId: string;
  kind: "image" | "document";
  alt: string;
  fileName: string;
  width: number;
  height: number;
  widths: number[];
  byteLength: number;
}

const refuse = (
  code: MediaRefusal,
  field: string,
  params: Record<string, string | number> = {},
  status: 400 | 413 = 400,
) => new RefusedError<MediaRefusal>(code, field, params, status);

const SHARP_OPTIONS = { limitInputPixels: MAX_IMAGE_PIXELS, failOn: "error", animated: false } as const;

async function prepareImage(upload: MediaUpload, alt: string): Promise<PreparedMedia> {
  let width: number;
  let height: number;
  try {
    const meta = await sharp(upload.bytes, { ...SHARP_OPTIONS, limitInputPixels: false }).metadata();
    // Orientations 5–8 turn the picture a quarter: its shown width is the stored height.
    const turned = (meta.orientation ?? 1) >= 5;
    width = (turned ? meta.height : meta.width) ?? 0;
    height = (turned ? meta.width : meta.height) ?? 0;
  } catch {
    throw refuse("media_unreadable", upload.field);
  }
  const pixels = checkPixels(width, height);
  if (!pixels.ok) throw refuse(pixels.code, upload.field, { max: MAX_IMAGE_PIXELS / 1_000_000 }, 413);
  const widths = widthsFor(width);
  const files: PreparedFile[] = [];
  let largest = { width: 0, height: 0 };
  try {
    for (const w of widths) {
      // No keepMetadata/withMetadata: sharp writes none of EXIF, XMP, IPTC or ICC (sRGB is assumed).
      const { data, info } = await sharp(upload.bytes, SHARP_OPTIONS)
        .rotate()
        .resize({ width: w, withoutEnlargement: true })
        .webp({ quality: 74, effort: 4 })
        .toBuffer({ resolveWithObject: true });
      files.push({ name: `${w}.webp`, contentType: "image/webp", bytes: new Uint8Array(data) });
      largest = { width: info.width, height: info.height };
    }
  } catch {
    throw refuse("media_unreadable", upload.field);
  }
  return {
    field: upload.field,
    kind: "image",
    fileName: safeFileName(upload.fileName, "image"),
    alt,
    width: largest.width,
    height: largest.height,
    widths,
    byteLength: files.reduce((sum, f) => sum + f.bytes.byteLength, 0),
    files,
  };
}

/** Checks and converts one upload; throws a RefusedError naming `upload.field`. CPU-bound: call it before the transaction. */
export async function prepareMedia(upload: MediaUpload): Promise<PreparedMedia> {
  const sniffed = sniffMedia(upload.bytes);
  if (!sniffed.ok) throw refuse(sniffed.code, upload.field);
  const size = checkBytes(sniffed.kind, upload.bytes.byteLength);
  if (!size.ok) throw refuse(size.code, upload.field, { max: sniffed.kind === "image" ? 8 : 10 }, 413);
  if (sniffed.kind === "image") {
    const alt = checkAlt(upload.alt);
    if (!alt.ok) throw refuse(alt.code, `${upload.field}Alt`);
    return prepareImage(upload, alt.alt);
  }
  const fileName = safeFileName(upload.fileName, "document.pdf");
  const title = checkAlt(upload.alt);
  if (!title.ok && title.code === "media_alt_long") throw refuse(title.code, `${upload.field}Alt`);
  return {
    field: upload.field,
    kind: "document",
    fileName,
    alt: title.ok ? title.alt : fileName,
    width: 0,
    height: 0,
    widths: [],
    byteLength: upload.bytes.byteLength,
    files: [{ name: "document.pdf", contentType: "application/pdf", bytes: upload.bytes }],
  };
}

function actorOrNull(scope: Scope): string | null {
  return scope.actor.kind === "user" ? actorUserId(scope) : null;
}

/** Stores one prepared medium (or prepares an upload first) after the owner's others. */
export async function storeMedia(
  tx: Tx | Db,
  scope: Scope,
  input: { owner: MediaOwner; media: PreparedMedia | MediaUpload },
): Promise<MediaView> {
  const prepared = "files" in input.media ? input.media : await prepareMedia(input.media);
  const [last] = await tx
    .select({ position: max(media.position) })
    .from(media)
    .where(ownerIs(scope, input.owner));
  const id = randomUUID();
  const row = {
    id,
    municipalityId: scope.municipality.id,
    ownerKind: input.owner.kind,
    ownerId: input.owner.id,
    kind: prepared.kind,
    position: (last?.position ?? -1) + 1,
    alt: prepared.alt,
    fileName: prepared.fileName,
    width: prepared.width,
    height: prepared.height,
    widths: prepared.widths,
    byteLength: prepared.byteLength,
    createdBy: actorOrNull(scope),
  };
  await tx.insert(media).values(row);
  const store = externalStore();
  for (const file of prepared.files) {
    const key = `${id}/${file.name}`;
    if (store) await store.put(key, file.bytes, file.contentType);
    await tx.insert(mediaFiles).values({
      mediaId: id,
      name: file.name,
      contentType: file.contentType,
      byteLength: file.bytes.byteLength,
      storage: store?.kind ?? "db",
      storageKey: store ? key : null,
      data: store ? null : file.bytes,
    });
  }
  return {
    id,
    ownerId: input.owner.id,
    kind: prepared.kind,
    alt: prepared.alt,
    fileName: prepared.fileName,
    width: prepared.width,
    height: prepared.height,
    widths: prepared.widths,
    byteLength: prepared.byteLength,
  };
}

function ownerIs(scope: Scope, owner: MediaOwner) {
  return and(
    eq(media.municipalityId, scope.municipality.id),
    eq(media.ownerKind, owner.kind),
    eq(media.ownerId, owner.id),
  );
}

/**
 * The owner's media after removing `remove` and adding `add`, within the limits (MAX_IMAGES,
 * MAX_DOCUMENTS): the one call a form's action makes inside its transaction.
 */
export async function attachMedia(
  tx: Tx | Db,
  scope: Scope,
  input: { owner: MediaOwner; add: PreparedMedia[]; remove?: string[] },
): Promise<MediaView[]> {
  if (input.remove?.length)
    await tx.delete(media).where(and(ownerIs(scope, input.owner), inArray(media.id, input.remove)));
  const kept = await tx.select({ kind: media.kind }).from(media).where(ownerIs(scope, input.owner));
  const count = (kind: "image" | "document") =>
    kept.filter((m) => m.kind === kind).length + input.add.filter((m) => m.kind === kind).length;
  const firstOf = (kind: "image" | "document") => input.add.find((m) => m.kind === kind)?.field ?? "media";
  if (count("image") > MAX_IMAGES) throw refuse("media_too_many_images", firstOf("image"), { max: MAX_IMAGES });
  if (count("document") > MAX_DOCUMENTS)
    throw refuse("media_too_many_documents", firstOf("document"), { max: MAX_DOCUMENTS });
  for (const prepared of input.add) await storeMedia(tx, scope, { owner: input.owner, media: prepared });
  return mediaOf(tx, scope, { ownerKind: input.owner.kind, ownerIds: [input.owner.id] });
}

/** The media of several owners of one kind, in their order (the caller decides who may see the owners). */
export async function mediaOf(
  db: Db | Tx,
  scope: Scope,
  input: { ownerKind: string; ownerIds: string[] },
): Promise<MediaView[]> {
  if (input.ownerIds.length === 0) return [];
  const rows = await db
    .select({
      id: media.id,
      ownerId: media.ownerId,
      kind: media.kind,
      alt: media.alt,
      fileName: media.fileName,
      width: media.width,
      height: media.height,
      widths: media.widths,
      byteLength: media.byteLength,
    })
    .from(media)
    .where(
      and(
        eq(media.municipalityId, scope.municipality.id),
        eq(media.ownerKind, input.ownerKind),
        inArray(media.ownerId, input.ownerIds),
      ),
    )
    .orderBy(asc(media.ownerId), asc(media.position));
  return rows;
}

/** The media of one owner if the acting person may see them (the owner's rule, owners.server.ts), else []. */
export async function visibleMediaOf(db: Db, scope: Scope, input: { owner: MediaOwner }): Promise<MediaView[]> {
  const access = await mediaOwnerAccess(db, scope, input.owner);
  if (!access) return [];
  return mediaOf(db, scope, { ownerKind: input.owner.kind, ownerIds: [input.owner.id] });
}

export interface MediaFile {
  contentType: string;
  bytes: Uint8Array;
  kind: "image" | "document";
  fileName: string;
  /** Everyone may see it (cached publicly), or only some people (cached privately). */
  public: boolean;
}

/** One stored file for the serving route, or null when it does not exist or the actor may not see it. */
export async function readMediaFile(
  db: Db,
  scope: Scope,
  input: { mediaId: string; name: string },
): Promise<MediaFile | null> {
  const [row] = await db
    .select({
      ownerKind: media.ownerKind,
      ownerId: media.ownerId,
      kind: media.kind,
      fileName: media.fileName,
      contentType: mediaFiles.contentType,
      storage: mediaFiles.storage,
      storageKey: mediaFiles.storageKey,
      data: mediaFiles.data,
    })
    .from(media)
    .innerJoin(mediaFiles, eq(mediaFiles.mediaId, media.id))
    .where(
      and(
        eq(media.id, input.mediaId),
        eq(media.municipalityId, scope.municipality.id),
        eq(mediaFiles.name, input.name),
      ),
    );
  if (!row) return null;
  const access = await mediaOwnerAccess(db, scope, { kind: row.ownerKind, id: row.ownerId });
  if (!access) return null;
  const bytes =
    row.storage === "db" ? row.data : row.storageKey ? await storeFor(row.storage).get(row.storageKey) : null;
  if (!bytes) return null;
  return { contentType: row.contentType, bytes, kind: row.kind, fileName: row.fileName, public: access === "public" };
}
