/** Addresses of stored media (ADR 0034): immutable, since a medium's files never change. */
export function mediaFileUrl(slug: string, mediaId: string, name: string): string {
  return `/m/${encodeURIComponent(slug)}/media/${encodeURIComponent(mediaId)}/${encodeURIComponent(name)}`;
}

export const imageUrl = (slug: string, mediaId: string, width: number) => mediaFileUrl(slug, mediaId, `${width}.webp`);
export const documentUrl = (slug: string, mediaId: string) => mediaFileUrl(slug, mediaId, "document.pdf");
