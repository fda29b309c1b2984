import type { RuleViolation } from "../domain/rounds/rules";

/** 413: an upload too large; 429: too many tries (verification throttling, ADR 0015); 503: a service Shora asks is down (ADR 0038). */
export type RefusalStatus = 400 | 403 | 404 | 409 | 413 | 429 | 503;

/**
 * A use case refused: a literal code, the form field concerned (if any) and values for the message.
 * Each area names its codes as a union (`RefusedError<BallotRefusal>`) and maps every code to a message
 * with `RefusalMessages` (app/web/refusals.server.ts), so a raw code can never reach a user.
 */
export class RefusedError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    readonly field: string | null = null,
    readonly params: Record<string, string | number> = {},
    readonly status: RefusalStatus = 400,
  ) {
    super(`${code}${field ? ` (${field})` : ""}`);
  }
}

/** The round's rules are frozen because voting has opened. */
export class FrozenError extends RefusedError {
  constructor(what: string) {
    super("frozen", null, { what }, 409);
  }
}

export class ViolationsError extends Error {
  constructor(readonly violations: RuleViolation[]) {
    super(violations.map((v) => `${v.code} (${v.field})`).join(", "));
  }
}
