import type { ReactNode } from "react";

/**
 * A table that scrolls sideways inside its own box when it is wider than a phone, instead of breaking
 * numbers and words mid-token (ADR 0031). Focusable, so keyboard users can scroll it too; the table's
 * own caption or heading names it.
 */
export function TableScroll({ children }: { children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable box must take keyboard focus (WCAG 2.1.1).
    <div className="table-scroll" tabIndex={0}>
      {children}
    </div>
  );
}
