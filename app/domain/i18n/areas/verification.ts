/** UI strings of the verification area (merged into en.ts / fa.ts). Keys start with "verification.". */
export const verificationEn = {
  "verification.title": "Verification",
} as const;

export const verificationFa: Record<keyof typeof verificationEn, string> = {
  "verification.title": "احراز هویت",
};
