/**
 * Who a use case runs for. Every exported use case takes `(db, scope, input)`: the scope is required,
 * so a query can never forget the municipality it belongs to (docs/ARCHITECTURE.md).
 */
import type { Municipality } from "./tenancy/municipality.server";

/** The person or process acting. Observers are visitors who are not logged in. */
export type Actor =
  | { kind: "user"; userId: string; isPlatformAdmin?: boolean }
  | { kind: "observer" }
  | { kind: "system"; name: string };

/** A use case inside one municipality. */
export interface Scope {
  municipality: Municipality;
  actor: Actor;
}

/** A use case outside any municipality (signing up, logging in, platform administration). */
export interface PlatformScope {
  actor: Actor;
}

export const observer: Actor = { kind: "observer" };

export function userActor(user: { id: string; isPlatformAdmin?: boolean }): Actor {
  return { kind: "user", userId: user.id, isPlatformAdmin: user.isPlatformAdmin };
}

export function systemActor(name: string): Actor {
  return { kind: "system", name };
}

export function scopeOf(municipality: Municipality, actor: Actor): Scope {
  return { municipality, actor };
}

/** The acting user's id, for use cases only a logged-in person may run. */
export function actorUserId(scope: { actor: Actor }): string {
  if (scope.actor.kind !== "user") throw new Error(`a ${scope.actor.kind} cannot act here`);
  return scope.actor.userId;
}
