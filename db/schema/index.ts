export * from "./accounts";
export * from "./tenancy";
export * from "./rounds";
export * from "./audit";
export * from "./accountability";
export * from "./ballots";
export * from "./tallies";
export * from "./verification";
