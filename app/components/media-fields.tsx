/**
 * The form's file fields for photos and documents (ADR 0034), each photo with its required
 * description; what is attached now, each with a box to remove it.
 */
import { isolated } from "../domain/i18n";
import {
  DOCUMENT_FIELDS,
  IMAGE_FIELDS,
  MAX_DOCUMENTS,
  MAX_DOCUMENT_BYTES,
  MAX_IMAGES,
  MAX_IMAGE_BYTES,
  REMOVE_MEDIA_FIELD,
} from "../domain/media/media";
import { Field } from "./forms";
import { useT } from "./i18n";
import type { MediaItem } from "./media";

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
                  {t("media.remove", { name: isolated(m.kind === "image" ? m.alt : m.fileName) })}
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
