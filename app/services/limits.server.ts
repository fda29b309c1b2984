/**
 * Ceilings against guessing and mass sign-up (ADR 0015), read from the environment at each use so an
 * operator can tune them per deployment: a whole number ≥ 1, else the default.
 */
function setting(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value >= 1 ? value : fallback;
}

export function limits() {
  return {
    /** Census misses from one address, per municipality and rolling hour. */
    censusMissesPerIpHour: setting("SHORA_CENSUS_MISSES_PER_IP_HOUR", 20),
    /** Census misses in one municipality per rolling hour, whatever the addresses. */
    censusMissesPerMunicipalityHour: setting("SHORA_CENSUS_MISSES_PER_MUNICIPALITY_HOUR", 300),
    /** Accounts created from one address per rolling hour. */
    signupsPerIpHour: setting("SHORA_SIGNUPS_PER_IP_HOUR", 10),
  };
}
