/** The header by which a route marks a page that may be kept and served again to visitors who are not logged in (app/server/page-cache.ts). */
export const PAGE_CACHE_HEADER = "X-Shora-Page-Cache";
