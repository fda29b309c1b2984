/**
 * The installation's OpenID Connect provider (ADR 0038), through openid-client: discovery (cached per
 * issuer and client), the authorization URL with PKCE, `state` and `nonce`, and the code exchange with
 * its ID-token checks (signature against the provider's JWKS, issuer, audience, expiry, nonce).
 */
import * as client from "openid-client";
import { type OidcSettings, config } from "../../config.server";

/** Seconds of clock difference accepted between Shora and the provider when checking `exp`/`iat`. */
export const CLOCK_TOLERANCE_SECONDS = 5;
/** Seconds Shora waits for the provider (discovery, token, userinfo). */
const PROVIDER_TIMEOUT_SECONDS = 10;

export function eidProvider(): OidcSettings | null {
  return config().oidc;
}

/** Plain http only for a provider on this machine (development and the tests); anywhere else https. */
function isLoopback(url: URL): boolean {
  return ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
}

const configurations = new Map<string, Promise<client.Configuration>>();

/** The provider's metadata and keys, fetched once per issuer and client (again after a failure). */
export function providerConfiguration(settings: OidcSettings): Promise<client.Configuration> {
  const key = [settings.issuer, settings.clientId, settings.clientSecret ?? ""].join("\u0000");
  let found = configurations.get(key);
  if (!found) {
    const issuer = new URL(settings.issuer);
    found = client
      .discovery(
        issuer,
        settings.clientId,
        {
          ...(settings.clientSecret ? { client_secret: settings.clientSecret } : {}),
          [client.clockTolerance]: CLOCK_TOLERANCE_SECONDS,
        },
        settings.clientSecret ? client.ClientSecretBasic(settings.clientSecret) : client.None(),
        { execute: isLoopback(issuer) ? [client.allowInsecureRequests] : [], timeout: PROVIDER_TIMEOUT_SECONDS },
      )
      .then((configuration) => {
        // The ID token's signature is checked against the provider's JWKS too, not only TLS trusted.
        client.enableNonRepudiationChecks(configuration);
        configuration.timeout = PROVIDER_TIMEOUT_SECONDS;
        return configuration;
      });
    found.catch(() => configurations.delete(key));
    configurations.set(key, found);
  }
  return found;
}

export function callbackUrl(): string {
  return `${config().publicUrl}/auth/eid/callback`;
}

export interface AuthorizationChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export function newChecks(): AuthorizationChecks {
  return { state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier() };
}

export async function authorizationUrl(
  settings: OidcSettings,
  checks: AuthorizationChecks,
  locale: string,
): Promise<URL> {
  const configuration = await providerConfiguration(settings);
  return client.buildAuthorizationUrl(configuration, {
    redirect_uri: callbackUrl(),
    scope: settings.scopes,
    state: checks.state,
    nonce: checks.nonce,
    code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
    code_challenge_method: "S256",
    ui_locales: locale,
  });
}

/** What the provider asserted about the person, after every check passed. */
export interface ProviderClaims {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  nationalId: string | null;
  birthDate: string | null;
  idToken: string;
}

const text = (value: unknown): string | null =>
  typeof value === "string" && value.trim() !== "" ? value.trim() : typeof value === "number" ? String(value) : null;

/**
 * Exchanges the code of the provider's answer (`query`: the callback's query string) for tokens and
 * checks them. Throws on any failed check (wrong state, another issuer, a bad signature, an expired
 * token, a wrong nonce); the caller shows one page for all of them.
 */
export async function exchangeCode(
  settings: OidcSettings,
  query: string,
  checks: AuthorizationChecks,
): Promise<ProviderClaims> {
  const configuration = await providerConfiguration(settings);
  const currentUrl = new URL(`${callbackUrl()}${query}`);
  const tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
    pkceCodeVerifier: checks.codeVerifier,
    expectedState: checks.state,
    expectedNonce: checks.nonce,
    idTokenExpected: true,
  });
  const idClaims = tokens.claims();
  if (!idClaims || !tokens.id_token) throw new Error("the provider sent no ID token");
  let claims: Record<string, unknown> = { ...idClaims };
  const wanted = [settings.idClaim, settings.birthDateClaim, "email"];
  if (tokens.access_token && wanted.some((name) => claims[name] === undefined)) {
    const info = await client.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
    claims = { ...info, ...claims };
  }
  return {
    issuer: idClaims.iss,
    subject: idClaims.sub,
    email: text(claims.email)?.toLowerCase() ?? null,
    emailVerified: claims.email_verified === true,
    name: text(claims.name),
    nationalId: text(claims[settings.idClaim]),
    birthDate: text(claims[settings.birthDateClaim]),
    idToken: tokens.id_token,
  };
}

/** The provider's RP-initiated logout address for a session begun there, or null when it offers none. */
export async function endSessionUrl(settings: OidcSettings, idToken: string): Promise<string | null> {
  try {
    const configuration = await providerConfiguration(settings);
    if (!configuration.serverMetadata().end_session_endpoint) return null;
    return client
      .buildEndSessionUrl(configuration, { id_token_hint: idToken, post_logout_redirect_uri: `${config().publicUrl}/` })
      .toString();
  } catch {
    return null;
  }
}
