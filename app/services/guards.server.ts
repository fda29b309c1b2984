/**
 * Permission checks used by every loader and action. Deny by default: a route that needs
 * nothing calls `optionalUser`; everything else calls one of the `require*` guards, which throw
 * a 403/404 response that the ErrorBoundary explains.
 */
import type { AppLoadContext } from "@remix-run/node";
import type { MembershipRole } from "../../db/schema";
import { deny, notFound } from "./http.server";
import { type Municipality, findMunicipality, roleIn } from "./municipality.server";
import { type CurrentSession, type SessionUser, getSession } from "./session.server";

export async function optionalUser(request: Request, context: AppLoadContext): Promise<CurrentSession | null> {
  return getSession(context.db, request);
}

export async function requireUser(request: Request, context: AppLoadContext): Promise<SessionUser> {
  const current = await getSession(context.db, request);
  if (!current) throw deny(403, "login", "You need to log in.");
  return current.user;
}

export async function requireMunicipality(context: AppLoadContext, slug: string | undefined): Promise<Municipality> {
  const municipality = slug ? await findMunicipality(context.db, slug) : null;
  if (!municipality) throw notFound("municipality");
  return municipality;
}

export interface StaffAccess {
  user: SessionUser;
  municipality: Municipality;
  role: MembershipRole;
}

/** Staff or admin of this municipality (a role elsewhere does not count). */
export async function requireStaff(
  request: Request,
  context: AppLoadContext,
  slug: string | undefined,
): Promise<StaffAccess> {
  const municipality = await requireMunicipality(context, slug);
  const user = await requireUser(request, context);
  const role = await roleIn(context.db, user.id, municipality.id);
  if (!role) throw deny(403, "staff", "Only council staff of this municipality may do this.");
  return { user, municipality, role };
}

export async function requireMunicipalityAdmin(
  request: Request,
  context: AppLoadContext,
  slug: string | undefined,
): Promise<StaffAccess> {
  const access = await requireStaff(request, context, slug);
  if (access.role !== "admin") throw deny(403, "admin", "Only administrators of this municipality may do this.");
  return access;
}

export async function requirePlatformAdmin(request: Request, context: AppLoadContext): Promise<SessionUser> {
  const user = await requireUser(request, context);
  if (!user.isPlatformAdmin) throw deny(403, "platform_admin", "Only platform administrators may do this.");
  return user;
}
