/** Reading the photo and document fields of a form (ADR 0034) into prepared media and field errors. */
import type { Translator } from "../domain/i18n";
import { DOCUMENT_FIELDS, IMAGE_FIELDS, MAX_MEDIA_FORM_BYTES, REMOVE_MEDIA_FIELD } from "../domain/media/media";
import { RefusedError } from "../services/errors.server";
import { type MediaRefusal, type PreparedMedia, prepareMedia } from "../services/media/media.server";
import type { FieldErrors } from "./forms.server";
import { mediaMessages } from "./refusal-messages/media";
import { refusalResponseFrom } from "./refusals.server";

/** Largest body of a form with attachments: every file at its limit, plus the text fields. */
export const MEDIA_FORM_MAX_BYTES = MAX_MEDIA_FORM_BYTES;

export interface MediaFields {
  add: PreparedMedia[];
  remove: string[];
  errors: FieldErrors;
}

function messageOf(error: RefusedError<MediaRefusal>, t: Translator): string {
  return t(mediaMessages[error.code], error.params);
}

/**
 * The files of the form, each checked and converted (sharp) before any transaction; a refused file
 * becomes an error on its field (the alternative text's field when that is what is missing).
 */
export async function readMediaFields(form: FormData, t: Translator): Promise<MediaFields> {
  const add: PreparedMedia[] = [];
  const errors: FieldErrors = {};
  for (const field of [...IMAGE_FIELDS, ...DOCUMENT_FIELDS]) {
    const file = form.get(field);
    if (!(file instanceof File) || (file.size === 0 && !file.name)) continue;
    const alt = form.get(`${field}Alt`);
    try {
      add.push(
        await prepareMedia({
          field,
          bytes: new Uint8Array(await file.arrayBuffer()),
          fileName: file.name,
          alt: typeof alt === "string" ? alt : null,
        }),
      );
    } catch (error) {
      if (!(error instanceof RefusedError) || !Object.hasOwn(mediaMessages, error.code)) throw error;
      errors[error.field ?? field] = messageOf(error as RefusedError<MediaRefusal>, t);
    }
  }
  const remove = form.getAll(REMOVE_MEDIA_FIELD).filter((v): v is string => typeof v === "string");
  return { add, remove, errors };
}

/** The error of a body over MEDIA_FORM_MAX_BYTES, on the first photo field. */
export function mediaFormTooLarge(t: Translator): FieldErrors {
  return {
    [IMAGE_FIELDS[0]]: t("media.error.form_too_large", { max: Math.floor(MEDIA_FORM_MAX_BYTES / 1024 / 1024) }),
  };
}

/** A media refusal thrown inside a use case (too many photos) as the form failure naming its field. */
export function mediaRefusalResponse(error: unknown, t: Translator, values: Record<string, string>) {
  return refusalResponseFrom(error, t, values, mediaMessages);
}

export function isMediaRefusal(error: unknown): boolean {
  return error instanceof RefusedError && Object.hasOwn(mediaMessages, error.code);
}
