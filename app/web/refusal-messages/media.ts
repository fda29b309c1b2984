/** Every refusal code of photos and documents mapped to its message (the compiler checks none is missing). */
import type { MediaRefusal } from "../../services/media/media.server";
import type { RefusalMessages } from "../refusals.server";

export const mediaMessages: RefusalMessages<MediaRefusal> = {
  media_empty: "media.error.media_empty",
  media_type: "media.error.media_type",
  media_svg: "media.error.media_svg",
  media_polyglot: "media.error.media_polyglot",
  media_too_large: "media.error.media_too_large",
  media_too_many_pixels: "media.error.media_too_many_pixels",
  media_unreadable: "media.error.media_unreadable",
  media_alt_missing: "media.error.media_alt_missing",
  media_alt_long: "media.error.media_alt_long",
  media_too_many_images: "media.error.media_too_many_images",
  media_too_many_documents: "media.error.media_too_many_documents",
  media_not_found: "media.error.media_not_found",
};
