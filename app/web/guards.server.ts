/**
 * Permission checks used by every loader and action. Deny by default: a route that needs
 * nothing calls `optionalUser`; everything else calls one of the `require*` guards, which throw
 * a 403/404 response that the ErrorBoundary explains.
 */
import { type AppLoadContext, redirect } from "@remix-run/node";
import type { MembershipRole } from "../../db/schema";
import { deny, notFound } from "./http.server";
import {
  type Envelope,
  type Municipality,
  type Round,
  findMunicipality,
  findRoundPath,
  roleIn,
} from "../services/tenancy/municipality.server";
import { type CurrentSession, type SessionUser, sessionOf } from "./session.server";
import { scopeOf, userActor } from "../services/scope";

export async function optionalUser(request: Request, context: AppLoadContext): Promise<CurrentSession | null> {
  return sessionOf(context, request);
}

export async function requireUser(request: Request, context: AppLoadContext): Promise<SessionUser> {
  const current = await sessionOf(context, request);
  if (!current) throw deny(403, "login", "You need to log in.");
  return current.user;
}

/**
 * Staff pages need a session that passed the second factor (ADR 0026): without it the person is sent
 * to the security page (enrol, or type a code), and comes back here afterwards.
 */
async function requireStaffSession(request: Request, context: AppLoadContext): Promise<SessionUser> {
  const current = await sessionOf(context, request);
  if (!current) throw deny(403, "login", "You need to log in.");
  if (!current.session.secondFactorAt) {
    const url = new URL(request.url);
    const next = request.method === "GET" ? `${url.pathname}${url.search}` : url.pathname;
    throw redirect(`/account/security?next=${encodeURIComponent(next)}`);
  }
  return current.user;
}

export async function requireMunicipality(context: AppLoadContext, slug: string | undefined): Promise<Municipality> {
  const municipality = slug ? await findMunicipality(context.db, slug) : null;
  if (!municipality) throw notFound("municipality");
  return municipality;
}

/**
 * A round page's municipality and round, read in one query and refused with the same 404s as one
 * lookup after the other.
 */
export async function requireRoundPath(
  context: AppLoadContext,
  params: { slug?: string; round?: string },
): Promise<{ municipality: Municipality; round: Round }> {
  const found = params.slug ? await findRoundPath(context.db, { slug: params.slug, round: params.round ?? "" }) : null;
  if (!found?.municipality) throw notFound("municipality");
  if (!found.round) throw notFound("round");
  return { municipality: found.municipality, round: found.round };
}

/**
 * A ballot page's municipality, logged-in user, round and envelope: the address in one query, read
 * together with the session, and refused in that order (404, then 403 log in, then 404s) as the checks
 * one after the other would.
 */
export async function requireVoterPath(
  request: Request,
  context: AppLoadContext,
  params: { slug?: string; round?: string; envelope?: string },
): Promise<{ municipality: Municipality; user: SessionUser; round: Round; envelope: Envelope }> {
  const [found, current] = await Promise.all([
    params.slug
      ? findRoundPath(context.db, { slug: params.slug, round: params.round ?? "", envelope: params.envelope ?? "" })
      : null,
    sessionOf(context, request),
  ]);
  if (!found?.municipality) throw notFound("municipality");
  if (!current) throw deny(403, "login", "You need to log in.");
  if (!found.round) throw notFound("round");
  if (!found.envelope) throw notFound("envelope");
  return { municipality: found.municipality, user: current.user, round: found.round, envelope: found.envelope };
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
  const role = await roleIn(context.db, scopeOf(municipality, userActor(user)));
  if (!role) throw deny(403, "staff", "Only council staff of this municipality may do this.");
  await requireStaffSession(request, context);
  return { user, municipality, role };
}

/**
 * Administrator of this municipality: staff memberships, the census, letter codes and publication of
 * results (ADR 0019). Staff get a 403 that says so.
 */
export async function requireMunicipalityAdmin(
  request: Request,
  context: AppLoadContext,
  slug: string | undefined,
): Promise<StaffAccess> {
  return adminOnly(await requireStaff(request, context, slug));
}

/** For an administrator-only intent of a staff route: refuses staff with the same 403 (ADR 0019). */
export function adminOnly(access: StaffAccess): StaffAccess {
  if (access.role !== "admin") throw deny(403, "admin", "Only administrators of this municipality may do this.");
  return access;
}

export async function requirePlatformAdmin(request: Request, context: AppLoadContext): Promise<SessionUser> {
  const user = await requireUser(request, context);
  if (!user.isPlatformAdmin) throw deny(403, "platform_admin", "Only platform administrators may do this.");
  await requireStaffSession(request, context);
  return user;
}
