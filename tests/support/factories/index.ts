/**
 * One kit of test data (tests/README.md): each factory makes what the product would make, through the
 * service that makes it where one exists, and takes `(db, input)` with the acting member as `by`.
 */
export * from "./accounts";
export * from "./ballots";
export * from "./census";
export * from "./municipality";
export * from "./participation";
export * from "./proposals";
export * from "./rounds";
export * from "./voters";
