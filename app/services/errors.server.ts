import type { RuleViolation } from "../domain/rounds/rules";

/** A use case refused: a literal code, the form field concerned (if any) and values for the message. */
export class RefusedError extends Error {
  constructor(
    readonly code: string,
    readonly field: string | null = null,
    readonly params: Record<string, string | number> = {},
    readonly status: 400 | 403 | 404 | 409 = 400,
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
