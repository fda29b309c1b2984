import { CARD_SIZES, srcSet } from "../domain/media/media";
import { imageUrl } from "../domain/media/urls";

/** What a page needs of a stored medium (MediaView of app/services/media). */
export interface MediaItem {
  id: string;
  kind: "image" | "document";
  alt: string;
  fileName: string;
  width: number;
  height: number;
  widths: number[];
  byteLength: number;
}

/** What an image needs to be shown (a page sends no more of it). */
export type ImageShown = Pick<MediaItem, "id" | "alt" | "width" | "height" | "widths">;

/** One image: the smallest stored width as `src`, every width in `srcset`, lazy unless `eager`. */
export function MediaImage({
  slug,
  image,
  sizes = CARD_SIZES,
  eager = false,
  className,
}: {
  slug: string;
  image: ImageShown;
  sizes?: string;
  eager?: boolean;
  className?: string;
}) {
  return (
    <img
      className={className ?? "media-image"}
      src={imageUrl(slug, image.id, image.widths[0])}
      srcSet={srcSet((w) => imageUrl(slug, image.id, w), image.widths)}
      sizes={sizes}
      width={image.width}
      height={image.height}
      alt={image.alt}
      loading={eager ? undefined : "lazy"}
      decoding="async"
    />
  );
}
