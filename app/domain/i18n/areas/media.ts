/** English UI strings of photos and documents (ADR 0034); merged into en.ts. */
export const mediaEn = {
  "media.legend": "Photos and documents",
  "media.hint":
    "Up to {images} photos (JPEG, PNG, WebP or GIF, at most {imageMb} MB each) and {documents} PDF documents (at most {documentMb} MB each). Photos are resized and everything but the picture is removed, including the place where they were taken.",
  "media.image": "Photo {n}",
  "media.imageAlt": "What photo {n} shows (for people who cannot see it)",
  "media.document": "PDF document {n}",
  "media.documentTitle": "Title of document {n} (optional)",
  "media.attached": "Attached now",
  "media.remove": "Remove “{name}”",
  "media.photos": "Photos",
  "media.documents": "Documents",
  "media.pdf": "PDF, {size} KB",
  "media.error.media_empty": "This file is empty.",
  "media.error.media_type": "This file is not a JPEG, PNG, WebP or GIF photo or a PDF document.",
  "media.error.media_svg": "SVG drawings are not accepted: export the picture as PNG or JPEG.",
  "media.error.media_polyglot":
    "This PDF also contains a web page or another file. Save it again as a plain PDF (for example with “Print to PDF”).",
  "media.error.media_too_large": "This file is larger than {max} MB.",
  "media.error.media_too_many_pixels":
    "This picture is too large: at most {max} million pixels and 12,000 pixels a side.",
  "media.error.media_unreadable": "This picture cannot be read: the file is damaged or not really an image.",
  "media.error.media_alt_missing": "Describe what the photo shows, for people who cannot see it.",
  "media.error.media_alt_long": "Keep the description under 300 characters.",
  "media.error.media_too_many_images": "At most {max} photos: remove one first.",
  "media.error.media_too_many_documents": "At most {max} documents: remove one first.",
  "media.error.media_not_found": "This file no longer exists.",
  "media.error.form_too_large": "The files together are larger than {max} MB: send fewer or smaller files.",
} as const;
