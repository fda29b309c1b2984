/** A page's photos and documents (ADR 0034), under the text they illustrate. */
import { formatNumber } from "../domain/i18n";
import { documentUrl } from "../domain/media/urls";
import { useLocale, useT } from "./i18n";
import { MediaImage, type MediaItem } from "./media";

/** A proposal's (or an update's) photos and documents. */
export function MediaGallery({ slug, items }: { slug: string; items: MediaItem[] }) {
  const t = useT();
  const locale = useLocale();
  const images = items.filter((m) => m.kind === "image");
  const documents = items.filter((m) => m.kind === "document");
  if (items.length === 0) return null;
  return (
    <>
      {images.length ? (
        <div className="media-gallery">
          {images.map((image) => (
            <MediaImage key={image.id} slug={slug} image={image} />
          ))}
        </div>
      ) : null}
      {documents.length ? (
        <>
          <h2>{t("media.documents")}</h2>
          <ul className="media-documents">
            {documents.map((d) => (
              <li key={d.id}>
                <a href={documentUrl(slug, d.id)} download={d.fileName}>
                  {d.alt}
                </a>{" "}
                <span className="hint">
                  ({t("media.pdf", { size: formatNumber(locale, Math.max(1, Math.round(d.byteLength / 1024))) })})
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}
