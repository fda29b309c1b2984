import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, Notice, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { formatNumber, pickText, translator } from "../domain/i18n";
import { GEOJSON_MAX_BYTES } from "../domain/geo/geojson";
import { ADDRESSES_MAX_BYTES } from "../domain/geo/addresses";
import { decodeTextFile } from "../domain/text-file";
import { RefusedError } from "../services/errors.server";
import {
  AddressesRefused,
  GeoJsonRefused,
  type MapRefusal,
  TILE_ATTRIBUTION_MAX,
  addressCount,
  importAddresses,
  importDistrictBoundaries,
  setMapTileUrl,
} from "../services/geo/maps.server";
import { scopeOf, userActor } from "../services/scope";
import { districtsOf } from "../services/tenancy/municipality.server";
import { readUploadForm } from "../web/csrf.server";
import { formFailure, validateForm } from "../web/forms.server";
import { adminOnly, requireStaff } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { addressProblemText, geoProblemText, mapRefusalResponse } from "../web/refusal-messages/maps";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("map.admin.title"));

const FORM_MARGIN_BYTES = 64 * 1024;

/**
 * Staff: the districts' outlines (GeoJSON) and the addresses residents may type (CSV); administrators:
 * the street map's tile server and its attribution (ADR 0035).
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user, role } = await requireStaff(request, context, params.slug);
  const scope = scopeOf(municipality, userActor(user));
  const [rows, addresses] = await Promise.all([districtsOf(context.db, scope), addressCount(context.db, scope)]);
  return json({
    slug: municipality.slug,
    districts: rows.map((d) => ({ code: d.code, name: d.name, mapped: d.boundary !== null })),
    hasAddresses: addresses > 0,
    maxGeoMb: GEOJSON_MAX_BYTES / 1_000_000,
    maxAddressMb: ADDRESSES_MAX_BYTES / 1_000_000,
    tiles: { url: municipality.mapTileUrl ?? "", attribution: municipality.mapTileAttribution ?? "" },
    isAdmin: role === "admin",
    attributionMax: TILE_ATTRIBUTION_MAX,
  });
}

const schema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("districts"),
    file: z.unknown(),
    keyProperty: z
      .string()
      .trim()
      .max(60)
      .regex(/^[A-Za-z0-9_:-]*$/)
      .default(""),
  }),
  z.object({ intent: z.literal("addresses"), file: z.unknown() }),
  // Lengths and the address's shape are the service's to check, with messages naming the field.
  z.object({
    intent: z.literal("tiles"),
    tileUrl: z.string().max(2000).default(""),
    attribution: z.string().max(2000).default(""),
  }),
]);

type Outcome = { errors: Record<string, string> | null; values: Record<string, string>; done?: string };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireStaff(request, context, params.slug);
  const scope = scopeOf(access.municipality, userActor(access.user));
  const t = translator(requestLocale(request));
  const form = await readUploadForm(request, Math.max(GEOJSON_MAX_BYTES, ADDRESSES_MAX_BYTES) + FORM_MARGIN_BYTES);
  if (!form) {
    return json<Outcome>(
      { errors: { file: t("map.problem.too_large", { max: ADDRESSES_MAX_BYTES / 1_000_000 }) }, values: {} },
      { status: 413 },
    );
  }
  // The street map is the administrators' (staff get the same 403 as elsewhere, ADR 0019).
  if (form.get("intent") === "tiles") adminOnly(access);
  const parsed = validateForm(schema, form, t, {
    keyProperty: "map.admin.keyProperty",
    tileUrl: "map.admin.tileUrl",
    attribution: "map.admin.attribution",
  });
  if (!parsed.ok) return formFailure(400, parsed.errors, parsed.values);
  const input = parsed.data;
  if (input.intent === "tiles") {
    const values = { intent: input.intent, tileUrl: input.tileUrl, attribution: input.attribution };
    try {
      await setMapTileUrl(context.db, scope, { url: input.tileUrl, attribution: input.attribution });
    } catch (error) {
      return mapRefusalResponse(error, t, values);
    }
    const cleared = input.tileUrl.trim() === "";
    return json<Outcome>({
      errors: null,
      values: { intent: input.intent },
      done: t(cleared ? "map.admin.tilesCleared" : "map.admin.tilesSaved"),
    });
  }
  const values = { intent: input.intent };
  try {
    const file = input.file;
    if (!(file instanceof File) || file.size === 0) throw new RefusedError<MapRefusal>("file_missing", "file");
    const decoded = decodeTextFile(new Uint8Array(await file.arrayBuffer()));
    if ("notText" in decoded) throw new RefusedError<MapRefusal>("file_encoding", "file");
    if (input.intent === "districts") {
      const { updated, created } = await importDistrictBoundaries(context.db, scope, {
        text: decoded.text,
        keyProperty: input.keyProperty,
      });
      return json<Outcome>({
        errors: null,
        values,
        done: t("map.admin.districtsSaved", { updated: updated.length, created: created.length }),
      });
    }
    const { count } = await importAddresses(context.db, scope, { text: decoded.text });
    return json<Outcome>({ errors: null, values, done: t("map.admin.addressesSaved", { count }) });
  } catch (error) {
    if (error instanceof GeoJsonRefused) {
      const list = error.problems.map((p) => geoProblemText(t, p));
      return json<Outcome>(
        { errors: { file: [t("map.admin.refused", { count: list.length }), ...list].join(" ") }, values },
        { status: error.status },
      );
    }
    if (error instanceof AddressesRefused) {
      const list = error.problems.map((p) => addressProblemText(t, p));
      return json<Outcome>(
        { errors: { file: [t("map.admin.refused", { count: list.length }), ...list].join(" ") }, values },
        { status: error.status },
      );
    }
    return mapRefusalResponse(error, t, values);
  }
}

function Upload({
  intent,
  title,
  help,
  accept,
  result,
  children,
}: {
  intent: "districts" | "addresses";
  title: string;
  help: string;
  accept: string;
  result: Outcome | undefined;
  children?: React.ReactNode;
}) {
  const t = useT();
  const mine = result?.values?.intent === intent;
  const error = mine ? result?.errors?.file : undefined;
  const inputId = error ? "field-file" : `field-file-${intent}`;
  return (
    <section aria-labelledby={`map-${intent}`}>
      <h2 id={`map-${intent}`}>{title}</h2>
      <p>{help}</p>
      <Notice text={mine ? result?.done : null} />
      {mine ? <ErrorSummary errors={result?.errors} /> : null}
      <PostForm encType="multipart/form-data" aria-labelledby={`map-${intent}`}>
        <input type="hidden" name="intent" value={intent} />
        {/* The form with an error takes the id the error summary links to. */}
        <div className={error ? "field field-invalid" : "field"}>
          <label htmlFor={inputId}>{t("map.admin.file")}</label>
          {error ? (
            <p className="field-error" id={`${inputId}-error`}>
              {error}
            </p>
          ) : null}
          <input
            id={inputId}
            name="file"
            type="file"
            accept={accept}
            required
            aria-describedby={error ? `${inputId}-error` : undefined}
          />
        </div>
        {children}
        <button type="submit">{t("map.admin.upload")}</button>
      </PostForm>
    </section>
  );
}

/** The street map's tile server and attribution: administrators change them, other staff read them. */
function Tiles({
  current,
  isAdmin,
  result,
}: {
  current: { url: string; attribution: string };
  isAdmin: boolean;
  result: Outcome | undefined;
}) {
  const t = useT();
  const mine = result?.values?.intent === "tiles";
  // After a refusal, what was typed; otherwise what is stored.
  const shown =
    mine && result?.errors
      ? { url: result.values.tileUrl ?? "", attribution: result.values.attribution ?? "" }
      : current;
  return (
    <section aria-labelledby="map-tiles">
      <h2 id="map-tiles">{t("map.admin.tilesTitle")}</h2>
      <p>{t("map.admin.tilesHelp")}</p>
      <Notice text={mine ? result?.done : null} />
      {mine ? <ErrorSummary errors={result?.errors} /> : null}
      {isAdmin ? (
        // A new key after a save: the fields show what is now stored.
        <PostForm aria-labelledby="map-tiles" key={`${current.url}\n${current.attribution}`}>
          <input type="hidden" name="intent" value="tiles" />
          <Field
            name="tileUrl"
            label={t("map.admin.tileUrl")}
            hint={t("map.admin.tileUrlHint")}
            type="url"
            defaultValue={shown.url}
            error={mine ? result?.errors?.tileUrl : undefined}
            dir="ltr"
          />
          <Field
            name="attribution"
            label={t("map.admin.attribution")}
            hint={t("map.admin.attributionHint")}
            defaultValue={shown.attribution}
            error={mine ? result?.errors?.attribution : undefined}
            dir="auto"
          />
          <button type="submit">{t("map.admin.tilesSave")}</button>
        </PostForm>
      ) : (
        <>
          {current.url ? (
            <dl>
              <dt>{t("map.admin.tileUrl")}</dt>
              <dd dir="ltr">
                <code>{current.url}</code>
              </dd>
              <dt>{t("map.admin.attribution")}</dt>
              <dd>{current.attribution}</dd>
            </dl>
          ) : (
            <p>{t("map.admin.tilesNone")}</p>
          )}
          <p className="hint">{t("map.admin.tilesAdminOnly")}</p>
        </>
      )}
    </section>
  );
}

export default function MapAdmin() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Outcome | undefined;
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/admin`}>{t("nav.admin")}</Link>
      </p>
      <h1>{t("map.admin.title")}</h1>
      <table>
        <caption>{t("map.admin.districts")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("map.admin.code")}</th>
            <th scope="col">{t("map.admin.name")}</th>
            <th scope="col">{t("map.admin.outline")}</th>
          </tr>
        </thead>
        <tbody>
          {data.districts.map((d) => (
            <tr key={d.code}>
              <td>
                <code>{d.code}</code>
              </td>
              <td>{pickText(d.name, locale)}</td>
              <td>{d.mapped ? t("map.admin.mapped") : t("map.admin.unmapped")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Upload
        intent="districts"
        title={t("map.admin.districtsTitle")}
        help={t("map.admin.districtsHelp", { mb: formatNumber(locale, data.maxGeoMb) })}
        accept=".geojson,.json,application/geo+json,application/json"
        result={result}
      >
        <Field
          name="keyProperty"
          label={t("map.admin.keyProperty")}
          hint={t("map.admin.keyPropertyHint")}
          defaultValue="code"
          dir="ltr"
        />
      </Upload>
      <Upload
        intent="addresses"
        title={t("map.admin.addressesTitle")}
        help={t("map.admin.addressesHelp", { mb: formatNumber(locale, data.maxAddressMb) })}
        accept=".csv,text/csv"
        result={result}
      >
        <p className="hint">{data.hasAddresses ? t("map.admin.addressesSome") : t("map.admin.addressesNone")}</p>
      </Upload>
      <Tiles current={data.tiles} isAdmin={data.isAdmin} result={result} />
    </>
  );
}
