import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { SelectField } from "../components/rounds";
import { type MessageKey, type Translator, formatDateTime, formatNumber, pickText, translator } from "../domain/i18n";
import { decodeTextFile } from "../domain/text-file";
import { type CensusProblem, type CensusReason, MAX_CENSUS_ROWS } from "../domain/verification/census";
import { wholeNumber } from "../domain/i18n/numbers";
import { scopeOf, userActor } from "../services/scope";
import { districtsOf } from "../services/tenancy/municipality.server";
import {
  censusSummary,
  expireStaleImports,
  idRulesOf,
  retentionOf,
  saveRetention,
  recentImports,
  saveIdRules,
  startCensusImport,
} from "../services/verification/census.server";
import { VerificationRefused } from "../services/verification/verifications.server";
import { readUploadForm } from "../web/csrf.server";
import { formFailure, validateForm } from "../web/forms.server";
import { requireMunicipalityAdmin } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { verificationRefusal } from "../web/refusal-messages/verification";
import { pageTitle } from "../components/page-title";

/** Largest census file (ADR 0014): a few million rows (4,000,000 rows of the four columns are ~140 MB). */
export const MAX_FILE_MB = 150;
/** The rest of the upload form (CSRF token, intent, checkbox, multipart framing) is far smaller than this. */
const FORM_MARGIN_BYTES = 64 * 1024;

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => [
  ...pageTitle(matches, (t) => t("verification.census.title")),
  // Progress without JavaScript: the page reloads itself while an import is loading.
  ...(data?.running ? [{ httpEquiv: "refresh", content: "2" } as const] : []),
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireMunicipalityAdmin(request, context, params.slug);
  const scope = scopeOf(municipality, userActor(user));
  await expireStaleImports(context.db, scope);
  const [rules, retentionMonths, summary, imports, districtRows] = await Promise.all([
    idRulesOf(context.db, scope),
    retentionOf(context.db, scope),
    censusSummary(context.db, scope),
    recentImports(context.db, scope),
    districtsOf(context.db, scope),
  ]);
  return json({
    slug: municipality.slug,
    timeZone: municipality.timeZone,
    rules,
    retentionMonths,
    maxMb: MAX_FILE_MB,
    maxRows: MAX_CENSUS_ROWS,
    districts: districtRows.map((d) => ({ id: d.id, code: d.code, name: d.name })),
    current: summary
      ? {
          id: summary.import.id,
          fileName: summary.import.fileName,
          records: summary.import.loadedRows,
          at: (summary.import.finishedAt ?? summary.import.startedAt).toISOString(),
          groups: summary.groups,
        }
      : null,
    imports: imports.map((i) => ({
      ...i,
      startedAt: i.startedAt.toISOString(),
      finishedAt: i.finishedAt?.toISOString() ?? null,
    })),
    running: imports.some((i) => i.status === "running"),
  });
}

type Outcome = {
  errors: Record<string, string> | null;
  values: Record<string, string>;
  saved?: boolean;
  retained?: number;
};

const censusSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("scheme"),
    idScheme: z.string().optional(),
    idPattern: z
      .string()
      .default("")
      .transform((value) => value.slice(0, 400)),
  }),
  // The file is checked below (missing, too large, not text), each with its own message.
  z.object({ intent: z.literal("import"), file: z.unknown(), skipBadRows: z.string().optional() }),
  z.object({ intent: z.literal("retention"), retentionMonths: wholeNumber(z.number().int().min(0).max(240)) }),
]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireMunicipalityAdmin(request, context, params.slug);
  const scope = scopeOf(access.municipality, userActor(access.user));
  const t = translator(requestLocale(request));
  // Refused by its Content-Length or once more bytes arrive, before the body is held in memory.
  const form = await readUploadForm(request, MAX_FILE_MB * 1024 * 1024 + FORM_MARGIN_BYTES);
  if (!form) return verificationRefusal(tooLarge(), t, { intent: "import" });
  const parsed = validateForm(censusSchema, form, t, {
    idPattern: "verification.census.idPattern",
    retentionMonths: "verification.census.retention",
  });
  if (!parsed.ok) return formFailure(400, parsed.errors, parsed.values);
  const input = parsed.data;
  try {
    if (input.intent === "retention") {
      await saveRetention(context.db, scope, { months: input.retentionMonths });
      return json<Outcome>({ errors: null, values: {}, retained: input.retentionMonths });
    }
    if (input.intent === "scheme") {
      const scheme = input.idScheme === "pattern" ? "pattern" : "ir-national-code";
      await saveIdRules(context.db, scope, { scheme, pattern: input.idPattern });
      return json<Outcome>({ errors: null, values: {}, saved: true });
    }
    const file = input.file;
    if (!(file instanceof File) || file.size === 0) throw new VerificationRefused("file_missing", "file");
    if (file.size > MAX_FILE_MB * 1024 * 1024) throw tooLarge();
    const decoded = decodeTextFile(new Uint8Array(await file.arrayBuffer()));
    if ("notText" in decoded) throw new VerificationRefused("file_encoding", "file", { line: decoded.notText.line });
    const outcome = await startCensusImport(context.db, scope, {
      fileName: file.name || "census.csv",
      text: decoded.text,
      skipBadRows: input.skipBadRows === "on",
    });
    if (outcome.status === "refused") {
      // Bad rows are counted; a file refused as a whole (no header, no rows, too many) has none.
      const first = outcome.problems[0];
      const message = [
        outcome.totalRows > 0
          ? t("verification.census.refused", { bad: outcome.badRows, total: outcome.totalRows })
          : null,
        first ? t("verification.census.firstProblem", { line: first.line, problem: whyText(t, first) }) : null,
      ];
      return json<Outcome>({ errors: { file: message.filter(Boolean).join(" ") }, values: {} }, { status: 400 });
    }
    // Small files finish at once; large ones go on loading while the page shows progress.
    await Promise.race([outcome.done, new Promise((resolve) => setTimeout(resolve, 1500))]);
    return redirect(`/m/${access.municipality.slug}/admin/census?import=${outcome.importId}`);
  } catch (error) {
    return verificationRefusal(error, t, { intent: input.intent });
  }
}

function tooLarge() {
  return new VerificationRefused("file_too_large", "file", { max: MAX_FILE_MB }, 413);
}

/** Why a census row was refused, per reason. */
const censusWhy: { readonly [R in CensusReason]: MessageKey } = {
  header: "verification.census.why.header",
  empty: "verification.census.why.empty",
  too_many_rows: "verification.census.why.too_many_rows",
  long: "verification.census.why.long",
  columns: "verification.census.why.columns",
  quote: "verification.census.why.quote",
  id_missing: "verification.census.why.id_missing",
  id_format: "verification.census.why.id_format",
  id_checksum: "verification.census.why.id_checksum",
  id_pattern: "verification.census.why.id_pattern",
  duplicate: "verification.census.why.duplicate",
  birth_date_invalid: "verification.census.why.birth_date_invalid",
  birth_date_future: "verification.census.why.birth_date_future",
  district_unknown: "verification.census.why.district_unknown",
  class_invalid: "verification.census.why.class_invalid",
};

function whyText(t: Translator, p: CensusProblem): string {
  return t(censusWhy[p.reason], {
    value: p.value ?? "",
    firstLine: p.firstLine ?? 0,
    limit: p.limit ?? 0,
  });
}

function Problems({ problems }: { problems: CensusProblem[] }) {
  const t = useT();
  if (!problems.length) return null;
  return (
    <table>
      <caption>{t("verification.census.report", { count: problems.length })}</caption>
      <thead>
        <tr>
          <th scope="col">{t("verification.census.line")}</th>
          <th scope="col">{t("verification.census.column")}</th>
          <th scope="col">{t("verification.census.reason")}</th>
        </tr>
      </thead>
      <tbody>
        {problems.map((p, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a line may hold several problems; the order is fixed.
          <tr key={i}>
            <td>{p.line}</td>
            <td>
              <code>{p.column}</code>
            </td>
            <td>{whyText(t, p)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function CensusAdmin() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const districtName = new Map(data.districts.map((d) => [d.id, pickText(d.name, locale)]));
  const intent = result?.values?.intent;
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/admin`}>{t("nav.admin")}</Link> ·{" "}
        <Link to={`/m/${data.slug}/admin/verifications`}>{t("verification.nav.verifications")}</Link>
      </p>
      <h1>{t("verification.census.title")}</h1>
      <p>{t("verification.census.intro")}</p>

      <h2>{t("verification.census.current")}</h2>
      {data.current ? (
        <>
          <p data-testid="census-current">
            {t("verification.census.summary", {
              records: data.current.records,
              file: data.current.fileName,
              date: formatDateTime(locale, new Date(data.current.at), data.timeZone),
            })}
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("verification.census.district")}</th>
                <th scope="col">{t("verification.census.voterClass")}</th>
                <th scope="col">{t("verification.census.count")}</th>
              </tr>
            </thead>
            <tbody>
              {data.current.groups.map((g) => (
                <tr key={`${g.districtId}/${g.voterClass}`}>
                  <td>{districtName.get(g.districtId) ?? g.districtId}</td>
                  <td>
                    <code>{g.voterClass}</code>
                  </td>
                  <td>{formatNumber(locale, g.n)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <p>{t("verification.census.none")}</p>
      )}

      <h2 id="upload">{t("verification.census.upload.title")}</h2>
      <p>
        {t("verification.census.upload.help", {
          codes: data.districts.map((d) => d.code).join(", "),
          mb: data.maxMb,
          rows: data.maxRows,
        })}
      </p>
      {intent !== "scheme" ? <ErrorSummary errors={result?.errors} /> : null}
      <PostForm encType="multipart/form-data" aria-labelledby="upload">
        <input type="hidden" name="intent" value="import" />
        <div className={result?.errors?.file ? "field field-invalid" : "field"}>
          <label htmlFor="field-file">{t("verification.census.fileLabel")}</label>
          {result?.errors?.file ? (
            <p className="field-error" id="field-file-error">
              {result.errors.file}
            </p>
          ) : null}
          <input id="field-file" name="file" type="file" accept=".csv,text/csv" required />
        </div>
        <div className="field">
          <input id="field-skipBadRows" name="skipBadRows" type="checkbox" aria-describedby="field-skipBadRows-hint" />{" "}
          <label htmlFor="field-skipBadRows">{t("verification.census.skipBadRows")}</label>
          <p className="hint" id="field-skipBadRows-hint">
            {t("verification.census.skipHint")}
          </p>
        </div>
        <button type="submit" disabled={data.running}>
          {t("verification.census.upload.submit")}
        </button>
      </PostForm>

      <h2>{t("verification.census.imports")}</h2>
      {data.running ? <p role="status">{t("verification.census.refreshHint")}</p> : null}
      {data.imports.map((i) => (
        <section key={i.id} className="census-import" data-status={i.status}>
          <h3>
            {i.fileName} — {t(`verification.census.status.${i.status}`)}
          </h3>
          <p>
            {t("verification.census.started")}: {formatDateTime(locale, new Date(i.startedAt), data.timeZone)}
          </p>
          {i.status === "running" ? (
            <p>
              <progress max={Math.max(1, i.totalRows - i.badRows)} value={i.loadedRows} />{" "}
              {t("verification.census.progress", { loaded: i.loadedRows, total: i.totalRows - i.badRows })}
            </p>
          ) : null}
          {i.status === "refused" && i.totalRows > 0 ? (
            <p>{t("verification.census.refused", { bad: i.badRows, total: i.totalRows })}</p>
          ) : null}
          {i.status === "active" || i.status === "replaced" ? (
            <p>{t("verification.census.activeNote", { records: i.loadedRows })}</p>
          ) : null}
          {i.status === "failed" ? <p>{t("verification.census.failed")}</p> : null}
          {i.skipBadRows && i.badRows > 0 && i.status !== "refused" ? (
            <p>{t("verification.census.skipped", { bad: i.badRows })}</p>
          ) : null}
          <Problems problems={i.report} />
        </section>
      ))}

      <h2 id="scheme">{t("verification.census.scheme.title")}</h2>
      {result && "saved" in result && result.saved ? (
        <p className="notice" role="status">
          {t("verification.census.scheme.saved")}
        </p>
      ) : null}
      {intent === "scheme" ? <ErrorSummary errors={result?.errors} /> : null}
      <PostForm noValidate aria-labelledby="scheme">
        <input type="hidden" name="intent" value="scheme" />
        <SelectField
          name="idScheme"
          label={t("verification.census.scheme")}
          defaultValue={data.rules.scheme}
          options={(["ir-national-code", "pattern"] as const).map((s) => ({
            value: s,
            label: t(`verification.census.scheme.${s}`),
          }))}
        />
        <Field
          name="idPattern"
          label={t("verification.census.idPattern")}
          defaultValue={data.rules.pattern ?? ""}
          error={intent === "scheme" ? result?.errors?.idPattern : undefined}
          dir="ltr"
        />
        <button type="submit">{t("verification.census.scheme.submit")}</button>
      </PostForm>

      <h2 id="retention">{t("verification.census.retention.title")}</h2>
      <p>{t("verification.census.retention.help")}</p>
      {result && "retained" in result && result.retained !== undefined ? (
        <p className="notice" role="status">
          {t("verification.census.retention.saved", { months: result.retained })}
        </p>
      ) : null}
      {intent === "retention" ? <ErrorSummary errors={result?.errors} /> : null}
      <PostForm noValidate aria-labelledby="retention">
        <input type="hidden" name="intent" value="retention" />
        <Field
          name="retentionMonths"
          inputMode="numeric"
          label={t("verification.census.retention")}
          defaultValue={intent === "retention" ? result?.values?.retentionMonths : String(data.retentionMonths)}
          error={intent === "retention" ? result?.errors?.retentionMonths : undefined}
          dir="ltr"
        />
        <button type="submit">{t("verification.census.retention.submit")}</button>
      </PostForm>
    </>
  );
}
