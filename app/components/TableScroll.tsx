import type { ReactNode } from "react";

/**
 * A table that scrolls sideways inside its own box when it is wider than a phone, instead of breaking
 * numbers and words mid-token (ADR 0031). Focusable and named, so keyboard users can scroll it too.
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take keyboard focus (WCAG 2.1.1).
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
