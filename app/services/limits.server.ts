import { config } from "../config.server";

/** Ceilings against guessing and mass sign-up (ADR 0015), set per deployment (app/config.server.ts). */
export function limits() {
  const c = config();
  return {
    /** Census misses from one address, per municipality and rolling hour. */
    censusMissesPerIpHour: c.censusMissesPerIpHour,
    /** Census misses in one municipality per rolling hour, whatever the addresses. */
    censusMissesPerMunicipalityHour: c.censusMissesPerMunicipalityHour,
    /** Accounts created from one address per rolling hour. */
    signupsPerIpHour: c.signupsPerIpHour,
  };
}
