import { type ActionFunctionArgs, redirect } from "@remix-run/node";
import { readForm } from "../web/csrf.server";
import { requireMunicipalityAdmin } from "../web/guards.server";
import { VerificationRefused, generateLetterCodes, letterCsv } from "../services/verification/verification.server";

/**
 * POST: generates a batch of one-time letter codes and answers with the mailing list as a CSV download
 * (census line, district, class, code, expiry — never an ID or birth date). Codes are stored hashed, so
 * this download is the only copy.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireMunicipalityAdmin(request, context, params.slug);
  const form = await readForm(request);
  const number = (name: string, fallback: number) => {
    const raw = String(form.get(name) ?? "").trim();
    return raw === "" ? fallback : /^\d{1,7}$/.test(raw) ? Number(raw) : Number.NaN;
  };
  try {
    const { batch, rows } = await generateLetterCodes(context.db, access, {
      districtId: String(form.get("districtId") ?? "") || null,
      validDays: number("validDays", 60),
      limit: number("limit", 1000),
    });
    return new Response(letterCsv(rows), {
      status: 200,
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="letter-codes-${access.municipality.slug}-${batch}.csv"`,
        "cache-control": "no-store",
      },
    });
  } catch (error) {
    if (!(error instanceof VerificationRefused)) throw error;
    return redirect(`/m/${access.municipality.slug}/admin/verifications?lettersError=${error.code}#letters`, {
      status: 303,
    });
  }
}
