import { Link, useLocation } from "@remix-run/react";
import { Fragment, type ReactNode } from "react";
import { helpHref } from "../domain/help/catalogue";
import type { Block, Inline } from "../domain/help/markdown";
import { useT } from "./i18n";

/** Inline parts as elements: text stays text (React escapes it), links only those the parser kept. */
/** Items with a key each (their position: the parts of a static text never move). */
function keyed<T>(items: T[]): { key: string; item: T }[] {
  return items.map((item, n) => ({ key: `k${n}`, item }));
}

function InlineParts({ parts }: { parts: Inline[] }) {
  return (
    <>
      {keyed(parts).map(({ key, item: part }) => (
        <Fragment key={key}>
          {part.kind === "strong" ? (
            <strong>{part.text}</strong>
          ) : part.kind === "code" ? (
            <code dir="ltr">{part.text}</code>
          ) : part.kind === "link" ? (
            part.href.startsWith("/") ? (
              <Link to={part.href}>{part.text}</Link>
            ) : (
              <a href={part.href} rel={part.href.startsWith("#") ? undefined : "noopener noreferrer"}>
                {part.text}
              </a>
            )
          ) : (
            part.text
          )}
        </Fragment>
      ))}
    </>
  );
}

/** A guide or a local page, from the markdown subset's blocks (app/domain/help/markdown.ts). */
export function HelpBlocks({ blocks }: { blocks: Block[] }) {
  return (
    <>
      {keyed(blocks).map(({ key: i, item: block }) => {
        switch (block.kind) {
          case "heading":
            return block.level === 2 ? (
              <h2 key={i} id={block.id}>
                <InlineParts parts={block.inline} />
              </h2>
            ) : (
              <h3 key={i} id={block.id}>
                <InlineParts parts={block.inline} />
              </h3>
            );
          case "paragraph":
            return (
              <p key={i}>
                <InlineParts parts={block.inline} />
              </p>
            );
          case "note":
            return (
              <p key={i} className="help-note">
                <InlineParts parts={block.inline} />
              </p>
            );
          case "list": {
            const items = keyed(block.items).map(({ key: j, item }) => (
              <li key={j}>
                <InlineParts parts={item} />
              </li>
            ));
            return block.ordered ? <ol key={i}>{items}</ol> : <ul key={i}>{items}</ul>;
          }
          case "pre":
            return (
              // biome-ignore lint/a11y/noNoninteractiveTabindex: a long line scrolls sideways; the keyboard must reach it
              <pre key={i} dir="ltr" tabIndex={0}>
                <code>{block.text}</code>
              </pre>
            );
        }
        return null;
      })}
    </>
  );
}

/** The search form of a help centre: a GET form, so it works without JavaScript. */
export function HelpSearch({ action, query }: { action: string; query: string }) {
  const t = useT();
  return (
    // biome-ignore lint/a11y/useSemanticElements: React 18's typings have no <search> element
    <form method="get" action={action} role="search" className="help-search">
      <label htmlFor="help-q">{t("help.search.label")}</label>{" "}
      <input id="help-q" type="search" name="q" defaultValue={query} maxLength={200} dir="auto" />{" "}
      <button type="submit">{t("help.search.submit")}</button>
    </form>
  );
}

type SectionKey = "residents" | "observers" | "staff" | "safety" | "reference";

/** A help centre's front page: search, its results, and the guides by section. */
export function HelpIndexView({
  action,
  query,
  hits,
  sections,
  children,
}: {
  action: string;
  query: string;
  hits: { href: string; title: string; snippet: string }[] | null;
  sections: { section: SectionKey; guides: { slug: string; title: string }[] }[];
  children?: ReactNode;
}) {
  const t = useT();
  return (
    <>
      <HelpSearch action={action} query={query} />
      {hits ? (
        <section aria-labelledby="help-results" className="help-results">
          <h2 id="help-results">
            {hits.length ? t("help.search.results", { count: hits.length, query }) : t("help.search.none", { query })}
          </h2>
          {hits.length ? (
            <ul>
              {hits.map((hit) => (
                <li key={hit.href}>
                  <Link to={hit.href}>{hit.title}</Link>
                  <p>{hit.snippet}</p>
                </li>
              ))}
            </ul>
          ) : null}
        </section>
      ) : null}
      {children}
      <div className="help-sections">
        {sections.map(({ section, guides }) => (
          <section key={section} aria-labelledby={`help-section-${section}`} className="card">
            <h2 id={`help-section-${section}`}>{t(`help.section.${section}`)}</h2>
            <ul>
              {guides.map((g) => (
                <li key={g.slug}>
                  <Link to={`/help/${g.slug}`}>{g.title}</Link>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </>
  );
}
