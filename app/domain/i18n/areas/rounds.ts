/** UI strings of the rounds area (merged into en.ts / fa.ts). Keys start with "rounds.". */
export const roundsEn = {
  "rounds.title": "Rounds",
} as const;

export const roundsFa: Record<keyof typeof roundsEn, string> = {
  "rounds.title": "دوره‌ها",
};
