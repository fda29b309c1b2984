import { type ActionFunctionArgs, redirect } from "@remix-run/node";
import { z } from "zod";
import { letterCsv } from "../domain/verification/codes";
import { RefusedError } from "../services/errors.server";
import { scopeOf, userActor } from "../services/scope";
import { generateLetterCodes } from "../services/verification/letter-codes.server";
import { readForm } from "../web/csrf.server";
import { requireMunicipalityAdmin } from "../web/guards.server";
import { parseWholeNumber } from "../domain/i18n/numbers";

/** A whole number, or the default when left empty; anything else is NaN (the service names the field). */
const count = (fallback: number) =>
  z
    .string()
    .default("")
    .transform((raw) => raw.trim())
    .transform((raw) => (raw === "" ? fallback : (parseWholeNumber(raw) ?? Number.NaN)));

const lettersSchema = z.object({
  districtId: z
    .string()
    .default("")
    .transform((id) => id || null),
  validDays: count(60),
  limit: count(1000),
});

/**
 * POST: generates a batch of one-time letter codes and answers with the mailing list as a CSV download
 * (census line, district, class, code, expiry — never an ID or birth date). Codes are stored hashed, so
 * this download is the only copy.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireMunicipalityAdmin(request, context, params.slug);
  const form = await readForm(request);
  const scope = scopeOf(access.municipality, userActor(access.user));
  const back = (code: string) =>
    redirect(`/m/${access.municipality.slug}/admin/verifications?lettersError=${code}#letters`, { status: 303 });
  const parsed = lettersSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) return back(parsed.error.issues[0]?.path[0] === "validDays" ? "valid_days" : "limit");
  try {
    const { batch, rows } = await generateLetterCodes(context.db, scope, parsed.data);
    return new Response(letterCsv(rows), {
      status: 200,
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="letter-codes-${access.municipality.slug}-${batch}.csv"`,
        "cache-control": "no-store",
      },
    });
  } catch (error) {
    if (!(error instanceof RefusedError)) throw error;
    return back(error.code);
  }
}
