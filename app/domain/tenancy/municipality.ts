import { z } from "zod";
import { NAME_CHARACTERS, nameIsPlain } from "../accounts/names";

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export function isCurrency(value: string): boolean {
  if (!/^[A-Z]{3}$/.test(value)) return false;
  try {
    new Intl.NumberFormat("en", { style: "currency", currency: value });
    return true;
  } catch {
    return false;
  }
}

/** What a platform admin gives to create a municipality (page and CLI share it). */
export const newMunicipalitySchema = z.object({
  slug: z.string().trim().min(1).max(48).regex(SLUG_PATTERN, "slug"),
  nameEn: z.string().trim().min(1).max(200),
  nameFa: z.string().trim().max(200).optional().default(""),
  defaultLocale: z.enum(["en", "fa"]),
  timeZone: z.string().trim().min(1).refine(isTimeZone),
  currency: z
    .string()
    .trim()
    .transform((s) => s.toUpperCase())
    .refine(isCurrency),
  adminEmail: z.string().trim().min(1).max(320).email(),
  adminName: z.string().trim().min(1).max(120).refine(nameIsPlain, NAME_CHARACTERS),
  adminPassword: z.string().min(10).max(1000),
});
export type NewMunicipalityInput = z.infer<typeof newMunicipalitySchema>;
