import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { SelectField } from "../components/rounds";
import { formatDateTime, pickText, translator, isolated } from "../domain/i18n";
import { readForm } from "../web/csrf.server";
import { type FormFailure, validateForm } from "../web/forms.server";
import { requireStaff } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { verificationMessages, verificationRefusal } from "../web/refusal-messages/verification";
import { MAX_LETTER_BATCH } from "../domain/verification/codes";
import { RefusedError } from "../services/errors.server";
import { scopeOf, userActor } from "../services/scope";
import { districtsOf } from "../services/tenancy/municipality.server";
import { knownVoterClasses, voterClassNames } from "../services/verification/eligibility.server";
import { letterCodeCounts } from "../services/verification/letter-codes.server";
import {
  censusLockQueue,
  clearCensusLock,
  moveVerification,
  residentByEmail,
  revokeVerification,
  staffVerify,
  verificationCounts,
} from "../services/verification/staff-verification.server";
import { VerificationRefused } from "../services/verification/verifications.server";
import { pageTitle } from "../components/page-title";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("verification.staff.title"));

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user, role } = await requireStaff(request, context, params.slug);
  const scope = scopeOf(municipality, userActor(user));
  const url = new URL(request.url);
  const email = url.searchParams.get("email")?.slice(0, 320).trim() ?? "";
  // A letter-code refusal comes back in the address: only a known code has a message.
  const lettersError = url.searchParams.get("lettersError") ?? "";
  const [found, districtRows, counts, letters, classes, locks, classNames] = await Promise.all([
    email ? residentByEmail(context.db, scope, { email }) : null,
    districtsOf(context.db, scope),
    verificationCounts(context.db, scope),
    letterCodeCounts(context.db, scope),
    knownVoterClasses(context.db, scope),
    censusLockQueue(context.db, scope),
    voterClassNames(context.db, scope),
  ]);
  const byMethod = Object.fromEntries(counts.map((c) => [c.method, c.n]));
  return json({
    slug: municipality.slug,
    timeZone: municipality.timeZone,
    email,
    districts: districtRows.map((d) => ({ id: d.id, name: d.name })),
    classes,
    // The history names each voter class as staff named it, not by its code.
    classNames,
    counts: { census: byMethod.census ?? 0, letter: byMethod.letter ?? 0, staff: byMethod.staff ?? 0 },
    // Letter codes and the census are the administrators' (ADR 0019).
    admin: role === "admin",
    letters: role === "admin" ? letters : null,
    lettersError: Object.hasOwn(verificationMessages, lettersError)
      ? verificationMessages[lettersError as keyof typeof verificationMessages]
      : null,
    locks,
    found: found
      ? {
          user: found.user,
          history: found.history.map((h) => ({
            ...h,
            verifiedAt: h.verifiedAt.toISOString(),
            revokedAt: h.revokedAt?.toISOString() ?? null,
          })),
        }
      : null,
  });
}

type MoveOffer = FormFailure & { moveFrom: string; toUserId: string };

/** Text cut to `max` characters (the services check the content and name the field). */
const cut = (max = 200) =>
  z
    .string()
    .default("")
    .transform((value) => value.slice(0, max));

const staffSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("verify"),
    email: cut(320),
    userId: cut(),
    nationalId: cut(65),
    birthDate: cut(40),
    districtId: cut(),
    voterClass: cut(60),
    reason: cut(600),
  }),
  z.object({ intent: z.literal("revoke"), email: cut(320), verificationId: cut(), reason: cut(600) }),
  z.object({ intent: z.literal("clear-lock"), email: cut(320), lockId: cut() }),
  z.object({
    intent: z.literal("move"),
    email: cut(320),
    verificationId: cut(),
    toUserId: cut(),
    reason: cut(600),
  }),
]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireStaff(request, context, params.slug);
  const scope = scopeOf(access.municipality, userActor(access.user));
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const parsed = validateForm(staffSchema, form, t, {});
  const input = parsed.ok ? parsed.data : null;
  const email = input?.email ?? "";
  const back = (done: string) =>
    redirect(`/m/${access.municipality.slug}/admin/verifications?email=${encodeURIComponent(email)}&done=${done}`);
  try {
    if (input?.intent === "verify") {
      if (input.nationalId.length > 64) throw new VerificationRefused("id_format", "nationalId");
      await staffVerify(context.db, scope, {
        userId: input.userId,
        nationalId: input.nationalId,
        birthDate: input.birthDate,
        districtId: input.districtId,
        voterClass: input.voterClass,
        reason: input.reason,
      });
      return back("verified");
    }
    if (input?.intent === "revoke") {
      await revokeVerification(context.db, scope, { verificationId: input.verificationId, reason: input.reason });
      return back("revoked");
    }
    if (input?.intent === "clear-lock") {
      await clearCensusLock(context.db, scope, { lockId: input.lockId });
      return back("cleared");
    }
    if (input?.intent === "move") {
      await moveVerification(context.db, scope, {
        verificationId: input.verificationId,
        toUserId: input.toUserId,
        reason: input.reason,
      });
      return back("moved");
    }
    throw new VerificationRefused("verification_unknown");
  } catch (error) {
    const values = {
      intent: input?.intent ?? "",
      email,
      districtId: input?.intent === "verify" ? input.districtId : "",
      voterClass: input?.intent === "verify" ? input.voterClass : "",
    };
    if (error instanceof RefusedError && error.code === "identity_taken_staff" && error.params.verification) {
      return json<MoveOffer>(
        {
          errors: { nationalId: t("verification.error.identity_taken_staff") },
          values,
          moveFrom: String(error.params.verification),
          toUserId: input?.intent === "verify" ? input.userId : "",
        },
        { status: 409 },
      );
    }
    return verificationRefusal(error, t, values);
  }
}

export default function Verifications() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [search] = useSearchParams();
  const done = search.get("done");
  const values = result?.values ?? {};
  const errors = result?.errors;
  const districtName = new Map(data.districts.map((d) => [d.id, pickText(d.name, locale)]));
  const found = data.found;
  const active = found?.history.find((h) => !h.revokedAt) ?? null;
  const move = result && "moveFrom" in result ? (result as unknown as { moveFrom: string; toUserId: string }) : null;
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/admin`}>{t("nav.admin")}</Link>
        {data.admin ? (
          <>
            {" · "}
            <Link to={`/m/${data.slug}/admin/census`}>{t("verification.nav.census")}</Link>
          </>
        ) : null}
      </p>
      <h1>{t("verification.staff.title")}</h1>
      <p>{t("verification.staff.counts", data.counts)}</p>
      {done ? (
        <p className="notice" role="status">
          {t(
            done === "verified" || done === "revoked" || done === "cleared"
              ? `verification.staff.${done}`
              : "verification.staff.moved",
          )}
        </p>
      ) : null}

      <h2 id="search">{t("verification.staff.search")}</h2>
      <Form method="get" aria-labelledby="search">
        <Field name="email" type="email" label={t("verification.staff.email")} defaultValue={data.email} dir="ltr" />
        <button type="submit">{t("verification.staff.search.submit")}</button>
      </Form>
      {data.email && !found ? <p>{t("verification.staff.notFound")}</p> : null}
      {found ? (
        <section>
          <h2>
            {t("verification.staff.resident", {
              name: isolated(found.user.displayName),
              email: isolated(found.user.email),
            })}
          </h2>
          <h3>{t("verification.staff.history")}</h3>
          {found.history.length === 0 ? <p>{t("verification.staff.noHistory")}</p> : null}
          <ul>
            {found.history.map((h) => (
              <li key={h.id} data-verification={h.id}>
                {t(`verification.method.${h.method}`)} — {districtName.get(h.districtId) ?? ""} —{" "}
                <bdi>
                  {data.classNames[h.voterClass] ? pickText(data.classNames[h.voterClass], locale) : h.voterClass}
                </bdi>{" "}
                — {formatDateTime(locale, new Date(h.verifiedAt), data.timeZone)}
                {h.verifiedBy ? ` — ${t("verification.staff.by", { name: isolated(h.verifiedBy) })}` : ""} —{" "}
                {h.revokedAt
                  ? t("verification.staff.revokedOn", {
                      date: formatDateTime(locale, new Date(h.revokedAt), data.timeZone),
                      reason: isolated(h.revokeReason ?? ""),
                    })
                  : t("verification.staff.active")}
              </li>
            ))}
          </ul>
          {["revoke", "verify", "move"].includes(values.intent ?? "") ? <ErrorSummary errors={errors} /> : null}
          {active ? (
            <>
              <h3 id="revoke">{t("verification.staff.revoke.title")}</h3>
              <PostForm noValidate aria-labelledby="revoke">
                <input type="hidden" name="intent" value="revoke" />
                <input type="hidden" name="email" value={found.user.email} />
                <input type="hidden" name="verificationId" value={active.id} />
                <Field
                  name="reason"
                  label={t("verification.staff.reason")}
                  hint={t("verification.staff.reason.public")}
                  error={errors?.reason}
                  required
                />
                <button type="submit">{t("verification.staff.revoke.submit")}</button>
              </PostForm>
            </>
          ) : (
            <>
              <h3 id="verify">{t("verification.staff.verify.title")}</h3>
              <p>{t("verification.staff.verify.help")}</p>
              <PostForm noValidate aria-labelledby="verify">
                <input type="hidden" name="intent" value="verify" />
                <input type="hidden" name="email" value={found.user.email} />
                <input type="hidden" name="userId" value={found.user.id} />
                <Field
                  name="nationalId"
                  label={t("verification.nationalId")}
                  error={errors?.nationalId}
                  autoComplete="off"
                  required
                  dir="ltr"
                />
                <Field
                  name="birthDate"
                  label={t("verification.birthDate")}
                  hint={t("verification.birthDateHint")}
                  error={errors?.birthDate}
                  autoComplete="off"
                  required
                  dir="ltr"
                />
                <SelectField
                  name="districtId"
                  label={t("verification.census.district")}
                  defaultValue={values.districtId}
                  error={errors?.districtId}
                  options={data.districts.map((d) => ({ value: d.id, label: pickText(d.name, locale) }))}
                />
                <div className={errors?.voterClass ? "field field-invalid" : "field"}>
                  <label htmlFor="field-voterClass">{t("verification.census.voterClass")}</label>
                  {errors?.voterClass ? (
                    <p className="field-error" id="field-voterClass-error">
                      {errors.voterClass}
                    </p>
                  ) : null}
                  <input
                    id="field-voterClass"
                    name="voterClass"
                    list="known-classes"
                    defaultValue={values.voterClass ?? data.classes[0] ?? ""}
                    dir="ltr"
                  />
                  <datalist id="known-classes">
                    {data.classes.map((c) => (
                      <option key={c} value={c} />
                    ))}
                  </datalist>
                </div>
                <Field
                  name="reason"
                  label={t("verification.staff.verify.reason")}
                  hint={t("verification.staff.verify.reasonHint")}
                  error={errors?.reason}
                />
                <button type="submit">{t("verification.staff.verify.submit")}</button>
              </PostForm>
              {move ? (
                <>
                  <h3 id="move">{t("verification.staff.move.title")}</h3>
                  <p>{t("verification.staff.move.help")}</p>
                  <PostForm noValidate aria-labelledby="move">
                    <input type="hidden" name="intent" value="move" />
                    <input type="hidden" name="email" value={found.user.email} />
                    <input type="hidden" name="verificationId" value={move.moveFrom} />
                    <input type="hidden" name="toUserId" value={move.toUserId} />
                    <Field id="move-reason" name="reason" label={t("verification.staff.reason")} required />
                    <button type="submit">{t("verification.staff.move.submit")}</button>
                  </PostForm>
                </>
              ) : null}
            </>
          )}
        </section>
      ) : null}

      <h2 id="locks">{t("verification.locks.title")}</h2>
      <p>{t("verification.locks.help")}</p>
      {values.intent === "clear-lock" ? <ErrorSummary errors={errors} /> : null}
      {data.locks.length === 0 ? <p>{t("verification.locks.none")}</p> : null}
      <ul>
        {data.locks.map((lock) => (
          <li key={lock.id} data-lock={lock.id}>
            {lock.censusLine
              ? t("verification.locks.line", { line: lock.censusLine })
              : t("verification.locks.notInCensus")}
            {lock.districtId ? ` — ${districtName.get(lock.districtId) ?? ""}` : ""} —{" "}
            {t("verification.locks.lockedOn", {
              date: formatDateTime(locale, new Date(lock.lockedAt), data.timeZone),
            })}{" "}
            <PostForm className="inline-form" aria-label={t("verification.locks.clear")}>
              <input type="hidden" name="intent" value="clear-lock" />
              <input type="hidden" name="lockId" value={lock.id} />
              <button type="submit">{t("verification.locks.clear")}</button>
            </PostForm>
          </li>
        ))}
      </ul>

      {data.admin ? (
        <>
          <h2 id="letters">{t("verification.letters.title")}</h2>
          <p>{t("verification.letters.help")}</p>
          <p>{t("verification.letters.counts", data.letters ?? { issued: 0, used: 0, open: 0 })}</p>
          {data.lettersError ? (
            <p className="field-error" role="alert">
              {t(data.lettersError, { max: MAX_LETTER_BATCH })}
            </p>
          ) : null}
          <PostForm action={`/m/${data.slug}/admin/letter-codes.csv`} reloadDocument aria-labelledby="letters">
            <SelectField
              id="letters-districtId"
              name="districtId"
              label={t("verification.census.district")}
              options={[
                { value: "", label: t("verification.letters.allDistricts") },
                ...data.districts.map((d) => ({ value: d.id, label: pickText(d.name, locale) })),
              ]}
            />
            <Field
              id="letters-validDays"
              name="validDays"
              inputMode="numeric"
              label={t("verification.letters.validDays")}
              defaultValue="60"
              dir="ltr"
            />
            <Field
              id="letters-limit"
              name="limit"
              inputMode="numeric"
              label={t("verification.letters.limit")}
              defaultValue="1000"
              dir="ltr"
            />
            <button type="submit">{t("verification.letters.submit")}</button>
          </PostForm>
        </>
      ) : null}
    </>
  );
}
