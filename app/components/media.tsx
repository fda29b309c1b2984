/**
 * Photos and documents on pages and in forms (ADR 0034): images with `srcset`/`sizes`, their size
 * set (no layout shift) and loaded lazily, so a page of cards stays within its weight budget; the
 * form's file fields, each photo with its required description.
 */
import { formatNumber } from "../domain/i18n";
import {
  CARD_SIZES,
  DOCUMENT_FIELDS,
  IMAGE_FIELDS,
  MAX_DOCUMENTS,
  MAX_DOCUMENT_BYTES,
  MAX_IMAGES,
  MAX_IMAGE_BYTES,
  REMOVE_MEDIA_FIELD,
  srcSet,
} from "../domain/media/media";
import { documentUrl, imageUrl } from "../domain/media/urls";
import { Field } from "./forms";
import { useLocale, useT } from "./i18n";

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

/** One image: the smallest stored width as `src`, every width in `srcset`, lazy unless `eager`. */
export function MediaImage({
  slug,
  image,
  sizes = CARD_SIZES,
  eager = false,
  className,
}: {
  slug: string;
  image: MediaItem;
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

function FileField({
  id: givenId,
  name,
  label,
  accept,
  error,
}: {
  id?: string;
  name: string;
  label: string;
  accept: string;
  error?: string;
}) {
  const id = givenId ?? `field-${name}`;
  return (
    <div className={error ? "field field-invalid" : "field"}>
      <label htmlFor={id}>{label}</label>
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
      <input
        id={id}
        name={name}
        type="file"
        accept={accept}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
    </div>
  );
}

/**
 * The attachment fields of a form sent as multipart: what is attached now (each with a box to remove
 * it), then empty slots for photos (with their description) and PDFs (with an optional title).
 */
export function MediaFieldset({
  values,
  errors,
  attached = [],
}: {
  values: Record<string, string>;
  errors?: Record<string, string> | null;
  attached?: MediaItem[];
}) {
  const t = useT();
  const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
  return (
    <fieldset className="media-fields">
      <legend>{t("media.legend")}</legend>
      <p className="hint">
        {t("media.hint", {
          images: MAX_IMAGES,
          documents: MAX_DOCUMENTS,
          imageMb: mb(MAX_IMAGE_BYTES),
          documentMb: mb(MAX_DOCUMENT_BYTES),
        })}
      </p>
      {attached.length ? (
        <>
          <p>{t("media.attached")}</p>
          <ul className="media-attached">
            {attached.map((m) => (
              <li key={m.id}>
                <label>
                  <input type="checkbox" name={REMOVE_MEDIA_FIELD} value={m.id} />{" "}
                  {t("media.remove", { name: m.kind === "image" ? m.alt : m.fileName })}
                </label>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {IMAGE_FIELDS.map((name, i) => (
        <div className="media-slot" key={name}>
          <FileField
            name={name}
            label={t("media.image", { n: i + 1 })}
            accept="image/jpeg,image/png,image/webp,image/gif"
            error={errors?.[name]}
          />
          <Field
            name={`${name}Alt`}
            label={t("media.imageAlt", { n: i + 1 })}
            defaultValue={values[`${name}Alt`]}
            error={errors?.[`${name}Alt`]}
          />
        </div>
      ))}
      {DOCUMENT_FIELDS.map((name, i) => (
        <div className="media-slot" key={name}>
          <FileField
            name={name}
            label={t("media.document", { n: i + 1 })}
            accept="application/pdf"
            error={errors?.[name]}
          />
          <Field
            name={`${name}Alt`}
            label={t("media.documentTitle", { n: i + 1 })}
            defaultValue={values[`${name}Alt`]}
            error={errors?.[`${name}Alt`]}
          />
        </div>
      ))}
    </fieldset>
  );
}

/**
 * One photo (with its description) and one PDF for a form among several on a page (an
 * implementation update per funded project): ids end with `suffix`.
 */
export function PhotoAndDocumentFields({
  suffix,
  values,
  errors,
}: {
  suffix: string;
  values: Record<string, string>;
  errors?: Record<string, string> | null;
}) {
  const t = useT();
  const [image] = IMAGE_FIELDS;
  const [document] = DOCUMENT_FIELDS;
  return (
    <fieldset className="media-fields">
      <legend>{t("media.legend")}</legend>
      <FileField
        id={`${image}-${suffix}`}
        name={image}
        label={t("media.image", { n: 1 })}
        accept="image/jpeg,image/png,image/webp,image/gif"
        error={errors?.[image]}
      />
      <Field
        id={`${image}Alt-${suffix}`}
        name={`${image}Alt`}
        label={t("media.imageAlt", { n: 1 })}
        defaultValue={values[`${image}Alt`]}
        error={errors?.[`${image}Alt`]}
      />
      <FileField
        id={`${document}-${suffix}`}
        name={document}
        label={t("media.document", { n: 1 })}
        accept="application/pdf"
        error={errors?.[document]}
      />
      <Field
        id={`${document}Alt-${suffix}`}
        name={`${document}Alt`}
        label={t("media.documentTitle", { n: 1 })}
        defaultValue={values[`${document}Alt`]}
        error={errors?.[`${document}Alt`]}
      />
    </fieldset>
  );
}
