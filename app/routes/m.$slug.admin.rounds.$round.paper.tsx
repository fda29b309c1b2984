import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Notice, Field, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { SelectField } from "../components/rounds";
import { RoundStaffNav } from "../components/staff-nav";
import { violationText } from "../domain/ballots/messages";
import { parsePaperCsv } from "../domain/ballots/paper";
import { decodeTextFile } from "../domain/text-file";
import { type Translator, formatMoney, formatNumber, pickText, translator } from "../domain/i18n";
import { readUploadForm } from "../web/csrf.server";
import { validateForm } from "../web/forms.server";
import { requireStaff } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { requestLocale } from "../web/locale.server";
import {
  MAX_PAPER_ROWS,
  type PaperBallot,
  PaperBallotsRefused,
  type PaperProblem,
  enterPaperBallots,
  paperBallotSheet,
} from "../services/ballots/paper-ballots.server";
import { scopeOf, userActor } from "../services/scope";
import { paperFileMessages, paperMessages } from "../web/refusal-messages/paper";
import { pageTitle } from "../components/page-title";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [t("paper.title"), data && pickText(data.round.title, locale)]);

/** A CSV of paper ballots is small (5,000 lines of a few fields, ~300 KB): 2 MB leaves room for long choices. */
const MAX_FILE_MB = 2;
const MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024;
/** The rest of the form (CSRF token, intent, multipart framing) is far smaller than this. */
const FORM_MARGIN_BYTES = 64 * 1024;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireStaff(request, context, params.slug);
  const sheet = await paperBallotSheet(context.db, scopeOf(municipality, userActor(user)), {
    roundSlug: params.round ?? "",
  });
  if (!sheet) throw notFound("round");
  return json({
    slug: municipality.slug,
    currency: municipality.currency,
    round: { slug: sheet.round.slug, title: sheet.round.title },
    voting: sheet.voting,
    maxRows: MAX_PAPER_ROWS,
    maxMb: MAX_FILE_MB,
    sheets: sheet.sheets.map((s) => ({
      envelope: { slug: s.envelope.slug, name: s.envelope.name, ballotType: s.envelope.ballotType },
      proposals: s.proposals.map((p, i) => ({ number: i + 1, title: p.title, cost: p.cost })),
    })),
  });
}

/** A typed field: its first value (a field sent twice counts once), at most 2,000 characters kept. */
const typed = z
  .union([z.string(), z.array(z.string()).nonempty()])
  .optional()
  .transform((v) => (Array.isArray(v) ? v[0] : (v ?? "")).slice(0, 2000));
const oneBallot = { nationalId: typed, birthDate: typed, envelope: typed, choices: typed };
/** One paper ballot typed in (also without an intent), or a CSV file of them. */
const paperSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.undefined(), ...oneBallot }),
  z.object({ intent: z.literal("one"), ...oneBallot }),
  z.object({ intent: z.literal("file"), file: z.unknown() }),
]);
const PAPER_LABELS = {
  nationalId: "paper.nationalId",
  birthDate: "paper.birthDate",
  envelope: "paper.envelope",
  choices: "paper.choices",
  file: "paper.file",
} as const;

type Outcome = {
  errors: Record<string, string> | null;
  problems: { line: number | null; message: string }[];
  values: Record<string, string>;
  notice: string | null;
  /** Names an accepted entry: the form for the next person starts empty. */
  entry?: string;
};

function problemText(t: Translator, p: PaperProblem, money: (n: number) => string): string {
  if (p.violations.length) return p.violations.map((v) => violationText(t, v, money)).join(" ");
  return t(paperMessages[p.code], p.params);
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireStaff(request, context, params.slug);
  const locale = requestLocale(request);
  const t = translator(locale);
  const tooLarge = () =>
    json<Outcome>(
      {
        errors: { file: t("paper.error.file_too_large", { max: MAX_FILE_MB }) },
        problems: [],
        values: {},
        notice: null,
      },
      { status: 413 },
    );
  // Refused by its Content-Length or once more bytes arrive, before the body is held in memory.
  const form = await readUploadForm(request, MAX_FILE_BYTES + FORM_MARGIN_BYTES);
  if (!form) return tooLarge();
  const money = (n: number) => formatMoney(locale, n, access.municipality.currency);
  const parsed = validateForm(paperSchema, form, t, PAPER_LABELS);
  if (!parsed.ok) {
    const values = Object.fromEntries(Object.entries(parsed.values).map(([k, v]) => [k, v.slice(0, 2000)]));
    return json<Outcome>({ errors: parsed.errors, problems: [], values, notice: null }, { status: 400 });
  }
  const data = parsed.data;
  const values: Record<string, string> =
    data.intent === "file"
      ? {}
      : { nationalId: data.nationalId, birthDate: data.birthDate, envelope: data.envelope, choices: data.choices };
  const refuse = (errors: Record<string, string>, problems: Outcome["problems"] = []) =>
    json<Outcome>({ errors, problems, values, notice: null }, { status: 400 });

  let batch: PaperBallot[];
  if (data.intent === "file") {
    const file = data.file;
    if (!(file instanceof File) || file.size === 0) return refuse({ file: t("paper.error.file_missing") });
    if (file.size > MAX_FILE_BYTES) return tooLarge();
    const decoded = decodeTextFile(new Uint8Array(await file.arrayBuffer()));
    if ("notText" in decoded) {
      const message = t("paper.error.file_encoding", { line: decoded.notText.line });
      return refuse({ file: message }, [{ line: decoded.notText.line, message }]);
    }
    const csv = parsePaperCsv(decoded.text, MAX_PAPER_ROWS);
    if (csv.problems.length) {
      const problems = csv.problems.map((p) => ({
        line: p.line,
        message: t(paperFileMessages[p.code], p as unknown as Record<string, string | number>),
      }));
      return refuse({ file: t("paper.refused", { count: problems.length }) }, problems);
    }
    batch = csv.rows.map((r) => ({
      line: r.line,
      nationalId: r.nationalId,
      birthDate: r.birthDate,
      envelope: r.envelope,
      choices: r.choices,
    }));
  } else {
    batch = [
      {
        line: null,
        nationalId: values.nationalId,
        birthDate: values.birthDate.trim() || null,
        envelope: values.envelope,
        choices: values.choices,
      },
    ];
  }
  try {
    const outcome = await enterPaperBallots(context.db, scopeOf(access.municipality, userActor(access.user)), {
      roundSlug: params.round ?? "",
      ballots: batch,
    });
    return json<Outcome>({
      errors: null,
      problems: [],
      values: {},
      notice: t("paper.done", { count: outcome.cast }),
      entry: crypto.randomUUID(),
    });
  } catch (error) {
    if (!(error instanceof PaperBallotsRefused)) throw error;
    // Like the page itself: a round this municipality does not have is not found, whatever the form said.
    if (error.problems.some((p) => p.code === "round_unknown")) throw notFound("round");
    if (data.intent === "file") {
      const problems = error.problems.map((p) => ({ line: p.line, message: problemText(t, p, money) }));
      return refuse({ file: t("paper.refused", { count: problems.length }) }, problems);
    }
    const errors: Record<string, string> = {};
    for (const p of error.problems) errors[p.field] = problemText(t, p, money);
    return refuse(errors);
  }
}

export default function PaperBallots() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const values = result?.values ?? {};
  const errors = result?.errors ?? {};
  // After an accepted ballot the form starts empty for the next person, also with JavaScript (where
  // the browser would keep what the inputs hold): a new key per accepted entry remounts it.
  const entered = result && "entry" in result ? result.entry : undefined;
  return (
    <>
      <RoundStaffNav slug={data.slug} round={data.round.slug} />
      <h1>
        {t("paper.title")} — {pickText(data.round.title, locale)}
      </h1>
      <p>{t("paper.intro")}</p>
      {data.voting ? null : <p className="notice">{t("paper.notVoting")}</p>}
      <Notice text={result?.notice} />
      <ErrorSummary errors={result?.errors} />
      {result?.problems.length ? (
        <table>
          <caption>{t("paper.refused", { count: result.problems.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("paper.line")}</th>
              <th scope="col">{t("paper.problem")}</th>
            </tr>
          </thead>
          <tbody>
            {result.problems.map((p, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: problems keep the file's order.
              <tr key={i}>
                <td className="num">{p.line === null ? "—" : formatNumber(locale, p.line)}</td>
                <td>{p.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      <h2 id="one">{t("paper.one")}</h2>
      <PostForm aria-labelledby="one" key={entered ?? "entry"}>
        <input type="hidden" name="intent" value="one" />
        <Field
          name="nationalId"
          label={t("paper.nationalId")}
          defaultValue={values.nationalId}
          error={errors.nationalId}
          required
          dir="ltr"
          autoComplete="off"
        />
        <Field
          name="birthDate"
          label={t("paper.birthDate")}
          hint={t("paper.birthDateHint")}
          defaultValue={values.birthDate}
          error={errors.birthDate}
          dir="ltr"
          autoComplete="off"
        />
        <SelectField
          name="envelope"
          label={t("paper.envelope")}
          defaultValue={values.envelope}
          error={errors.envelope}
          options={data.sheets.map((s) => ({ value: s.envelope.slug, label: pickText(s.envelope.name, locale) }))}
        />
        <Field
          name="choices"
          label={t("paper.choices")}
          hint={t("paper.choicesHint")}
          defaultValue={values.choices}
          error={errors.choices}
          required
          dir="ltr"
          autoComplete="off"
        />
        <div className="hint paper-numbers">
          <p>{t("staff.paper.numbers")}</p>
          {data.sheets.map((s) => (
            <p key={s.envelope.slug}>
              <strong>{pickText(s.envelope.name, locale)}</strong>:{" "}
              {s.proposals.map((p, i) => (
                <span key={p.number}>
                  {i > 0 ? t("staff.list.separator") : null}
                  <span className="num">{formatNumber(locale, p.number)}</span> {pickText(p.title, locale)}
                </span>
              ))}
            </p>
          ))}
        </div>
        <button type="submit">{t("paper.submitOne")}</button>
      </PostForm>

      <h2 id="csv">{t("paper.csv")}</h2>
      <PostForm encType="multipart/form-data" aria-labelledby="csv">
        <input type="hidden" name="intent" value="file" />
        <p className="hint">{t("paper.csvHint", { max: data.maxRows, mb: data.maxMb })}</p>
        <div className={errors.file ? "field field-invalid" : "field"}>
          <label htmlFor="field-file">{t("paper.file")}</label>
          {errors.file ? (
            <p className="field-error" id="field-file-error">
              {errors.file}
            </p>
          ) : null}
          <input
            id="field-file"
            name="file"
            type="file"
            accept=".csv,text/csv"
            required
            aria-describedby={errors.file ? "field-file-error" : undefined}
          />
        </div>
        <button type="submit">{t("paper.submitFile")}</button>
      </PostForm>

      <h2>{t("paper.sheet")}</h2>
      {data.sheets.map((s) => (
        <section key={s.envelope.slug} aria-labelledby={`sheet-${s.envelope.slug}`}>
          <h3 id={`sheet-${s.envelope.slug}`}>
            {pickText(s.envelope.name, locale)} (<code>{s.envelope.slug}</code>)
          </h3>
          {s.proposals.length === 0 ? (
            <p>{t("paper.none")}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("paper.number")}</th>
                  <th scope="col">{t("paper.proposal")}</th>
                  <th scope="col">{t("paper.cost")}</th>
                </tr>
              </thead>
              <tbody>
                {s.proposals.map((p) => (
                  <tr key={p.number}>
                    <td className="num">{formatNumber(locale, p.number)}</td>
                    <td>{pickText(p.title, locale)}</td>
                    <td className="num">{formatMoney(locale, p.cost, data.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ))}
    </>
  );
}
