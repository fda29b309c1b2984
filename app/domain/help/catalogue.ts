/**
 * The help centre's guides (ADR 0037): which exist, in which section, in which order. Their texts are
 * markdown files in app/content/help/<locale>/<slug>.md, read only by the server.
 */

export const helpSections = ["residents", "observers", "staff", "safety", "reference"] as const;
export type HelpSection = (typeof helpSections)[number];

export const helpGuides = [
  { slug: "getting-started", section: "residents" },
  { slug: "account", section: "residents" },
  { slug: "verify", section: "residents" },
  { slug: "propose", section: "residents" },
  { slug: "vote", section: "residents" },
  { slug: "receipt", section: "residents" },
  { slug: "follow", section: "residents" },
  { slug: "problems", section: "residents" },
  { slug: "results", section: "observers" },
  { slug: "verify-bundle", section: "observers" },
  { slug: "staff-round", section: "staff" },
  { slug: "staff-census", section: "staff" },
  { slug: "staff-moderation", section: "staff" },
  { slug: "safe-use", section: "safety" },
  { slug: "glossary", section: "reference" },
  { slug: "faq", section: "reference" },
  { slug: "accessibility", section: "reference" },
] as const satisfies readonly { slug: string; section: HelpSection }[];

export type HelpSlug = (typeof helpGuides)[number]["slug"];

export function isHelpSlug(slug: string): slug is HelpSlug {
  return helpGuides.some((g) => g.slug === slug);
}

/**
 * The guide for the task of the page at `pathname` (a resident's or a staff page), with a section of
 * it where one fits: the help link every page shows (app/root.tsx) points there.
 */
export function helpTopicFor(pathname: string): { slug: HelpSlug; anchor?: string } {
  const p = pathname.replace(/\/+$/, "") || "/";
  const staff = /^\/m\/[^/]+\/admin(\/|$)/.test(p);
  if (staff) {
    if (/\/admin\/(census|verifications|letter-codes)/.test(p) || /\/rounds\/[^/]+\/eligibility$/.test(p))
      return { slug: "staff-census" };
    if (/\/rounds\/[^/]+\/paper$/.test(p)) return { slug: "staff-census", anchor: "paper-ballots" };
    if (/\/admin\/moderation$/.test(p)) return { slug: "staff-moderation" };
    if (/\/rounds\/[^/]+\/implementation$/.test(p))
      return { slug: "staff-moderation", anchor: "implementation-updates" };
    if (/\/admin\/help$/.test(p)) return { slug: "staff-moderation", anchor: "local-help-pages" };
    return { slug: "staff-round" };
  }
  if (/^\/(signup|login|forgot-password|reset-password|confirm)(\/|$)/.test(p)) return { slug: "account" };
  if (/^\/account\/security$/.test(p)) return { slug: "safe-use" };
  if (/^\/account(\/|$)/.test(p)) return { slug: "account" };
  if (/^\/m\/[^/]+\/verify$/.test(p) || /\/rounds\/[^/]+\/eligibility$/.test(p)) return { slug: "verify" };
  if (/\/rounds\/[^/]+\/(propose|proposals\/[^/]+(\/edit)?)$/.test(p)) return { slug: "propose" };
  if (/\/rounds\/[^/]+\/(vote\/[^/]+|survey)$/.test(p)) return { slug: "vote" };
  if (/\/rounds\/[^/]+\/receipt$/.test(p)) return { slug: "receipt" };
  if (/\/rounds\/[^/]+\/implementation(\/[^/]+)?$/.test(p)) return { slug: "follow" };
  if (/\/rounds\/[^/]+\/results(\/.*)?$/.test(p)) return { slug: "results" };
  if (/^\/m\/[^/]+\/(log|open-data)$/.test(p)) return { slug: "verify-bundle" };
  if (/^\/privacy$/.test(p)) return { slug: "safe-use" };
  if (/^\/admin(\/|$)/.test(p)) return { slug: "staff-round" };
  return { slug: "getting-started" };
}

/** The address of a topic's guide, in the municipality's help centre when the page is in one. */
export function helpHref(pathname: string): string {
  const { slug, anchor } = helpTopicFor(pathname);
  return `/help/${slug}${anchor ? `#${anchor}` : ""}`;
}
