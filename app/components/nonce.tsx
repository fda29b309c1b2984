import { createContext, useContext } from "react";

/** The per-response CSP nonce (server render only): inline scripts carry it instead of 'unsafe-inline'. */
export const NonceContext = createContext<string | undefined>(undefined);

export function useNonce(): string | undefined {
  return useContext(NonceContext);
}
