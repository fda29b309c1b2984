import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { ProposalMap } from "../components/proposal-map";
import { formatNumber, pickText, translator, isolated } from "../domain/i18n";
import { readPoint } from "../domain/geo/geojson";
import { RefusedError } from "../services/errors.server";
import {
  type PointInput,
  addressesLike,
  districtsDrawing,
  proposalPointForm,
  setProposalPoint,
} from "../services/geo/maps.server";
import { unproject } from "../domain/geo/projection";
import { scopeOf, userActor } from "../services/scope";
import { districtsOf } from "../services/tenancy/municipality.server";
import { readForm } from "../web/csrf.server";
import { formFailure, validateForm } from "../web/forms.server";
import { requireMunicipality, requireUser } from "../web/guards.server";
import { deny, notFound } from "../web/http.server";
import { requestLocale } from "../web/locale.server";
import { pointRefusalResponse } from "../web/refusal-messages/maps";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("map.point.title"));

/** Where a proposal is: its author (while it awaits review) or staff type a point or a known address (ADR 0035). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const user = await requireUser(request, context);
  const scope = scopeOf(municipality, userActor(user));
  const found = await proposalPointForm(context.db, scope, {
    roundSlug: params.round ?? "",
    proposalId: params.proposal ?? "",
  });
  if (!found) throw notFound("proposal");
  if (!found.may) throw deny(403, "bad_request", "Only the author or staff may place this proposal.");
  const districtRows = await districtsOf(context.db, scope);
  const district = districtRows.find((d) => d.id === found.proposal.districtId);
  const picture = found.open ? await districtsDrawing(context.db, scope) : null;
  return json({
    pageStrings: await pageStringsFor(context, request, [
      "map.title",
      "map.svgTitle",
      "map.svgDesc",
      "map.listTitle",
      "map.noneOnMap",
      "map.unplaced",
      "map.noMap",
      "map.point",
      "map.error",
      "map.pick",
    ]),
    slug: municipality.slug,
    round: { slug: found.round.slug, title: found.round.title },
    proposal: {
      id: found.proposal.id,
      title: found.proposal.title,
      lat: found.proposal.pointLat,
      lon: found.proposal.pointLon,
      district: district?.name ?? null,
    },
    open: found.open,
    saved: new URL(request.url).searchParams.has("saved"),
    hasAddresses: found.hasAddresses,
    picture: picture ? { width: picture.width, height: picture.height } : null,
    map: found.map
      ? {
          drawing: found.map.drawing,
          districts: districtRows.filter((d) => d.boundary !== null).map((d) => ({ id: d.id, name: d.name })),
          entries: [{ id: found.proposal.id, title: found.proposal.title, district: district?.name ?? null }],
        }
      : null,
  });
}

const schema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("point"),
    lat: z.string().trim().max(40).default(""),
    lon: z.string().trim().max(40).default(""),
  }),
  z.object({ intent: z.literal("address"), address: z.string().trim().min(1).max(200) }),
  z.object({ intent: z.literal("clear") }),
  // The spot clicked on the districts picture (`<input type="image" name="at">` sends at.x and at.y).
  z.object({
    intent: z.literal("pick"),
    "at.x": z
      .string()
      .trim()
      .regex(/^\d{1,5}$/),
    "at.y": z
      .string()
      .trim()
      .regex(/^\d{1,5}$/),
  }),
]);

type Outcome = { errors: Record<string, string> | null; values: Record<string, string>; suggestions?: string[] };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const user = await requireUser(request, context);
  const form = await readForm(request);
  const locale = requestLocale(request);
  const t = translator(locale);
  const scope = scopeOf(municipality, userActor(user));
  const found = await proposalPointForm(context.db, scope, {
    roundSlug: params.round ?? "",
    proposalId: params.proposal ?? "",
  });
  if (!found) throw notFound("proposal");
  if (!found.may) throw deny(403, "bad_request", "Only the author or staff may place this proposal.");
  const parsed = validateForm(schema, form, t, {
    lat: "map.point.lat",
    lon: "map.point.lon",
    address: "map.point.address",
    "at.x": "map.pick.title",
    "at.y": "map.pick.title",
  });
  if (!parsed.ok) return formFailure(400, parsed.errors, parsed.values);
  const input = parsed.data;
  let point: PointInput = null;
  if (input.intent === "point") {
    const read = readPoint(input.lat, input.lon);
    if (!read) {
      return formFailure(400, { lat: t("map.point.invalid") }, { intent: "point", lat: input.lat, lon: input.lon });
    }
    point = { kind: "point", ...read };
  } else if (input.intent === "address") {
    point = { kind: "address", address: input.address };
  } else if (input.intent === "pick") {
    const drawing = await districtsDrawing(context.db, scope);
    const [x, y] = [Number(input["at.x"]), Number(input["at.y"])];
    if (!drawing || x > drawing.width || y > drawing.height)
      return formFailure(400, { "at.x": t("map.pick.outside") }, { intent: "pick" });
    point = { kind: "point", ...unproject(drawing.frame, x, y) };
  }
  const values: Record<string, string> =
    input.intent === "point"
      ? { intent: "point", lat: input.lat, lon: input.lon }
      : input.intent === "address"
        ? { intent: "address", address: input.address }
        : { intent: input.intent };
  try {
    await setProposalPoint(context.db, scope, {
      roundSlug: params.round ?? "",
      proposalId: params.proposal ?? "",
      point,
    });
    return redirect(`/m/${municipality.slug}/rounds/${params.round}/proposals/${params.proposal}/point?saved=1`);
  } catch (error) {
    if (error instanceof RefusedError && error.code === "address_unknown" && input.intent === "address") {
      const suggestions = await addressesLike(context.db, scope, { text: input.address });
      return json<Outcome>(
        { errors: { address: t("map.error.address_unknown") }, values, suggestions },
        { status: 400 },
      );
    }
    return pointRefusalResponse(
      error,
      t,
      locale,
      await districtsOf(context.db, scope),
      values,
      input.intent === "pick" ? "at.x" : undefined,
    );
  }
}

export default function ProposalPoint() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Outcome | undefined;
  const base = `/m/${data.slug}/rounds/${data.round.slug}`;
  const intent = result?.values?.intent;
  return (
    <>
      <p>
        <Link to={`${base}/proposals/${data.proposal.id}`}>{pickText(data.proposal.title, locale)}</Link>
      </p>
      <h1>{t("map.point.title")}</h1>
      {data.saved && !result ? (
        <p className="notice" role="status">
          {t("map.point.saved")}
        </p>
      ) : null}
      <p data-testid="current-point">
        {data.proposal.lat !== null && data.proposal.lon !== null
          ? t("map.point.current", {
              lat: formatNumber(locale, data.proposal.lat),
              lon: formatNumber(locale, data.proposal.lon),
              district: isolated(data.proposal.district ? pickText(data.proposal.district, locale) : "—"),
            })
          : t("map.point.none")}
      </p>
      {data.map ? <ProposalMap {...data.map} base={base} id="point-map" /> : <p>{t("map.noMap")}</p>}
      {data.open ? (
        <>
          <ErrorSummary errors={result?.errors} />
          {data.picture ? (
            <>
              <h2 id="point-pick">{t("map.pick.title")}</h2>
              <p className="hint" id="point-pick-hint">
                {t("map.pick.hint")}
              </p>
              {intent === "pick" && result?.errors?.["at.x"] ? (
                <p className="field-error" id="field-at.x-error">
                  {result.errors["at.x"]}
                </p>
              ) : null}
              {/* A native form: Remix would send a clicked image's spot as 0, 0. */}
              <PostForm reloadDocument aria-labelledby="point-pick">
                <input type="hidden" name="intent" value="pick" />
                <div className="map-pick">
                  <input
                    type="image"
                    id="field-at.x"
                    name="at"
                    src={`/m/${data.slug}/districts.svg?lang=${locale}`}
                    alt={t("map.pick.alt")}
                    width={data.picture.width}
                    height={data.picture.height}
                    aria-describedby="point-pick-hint"
                  />
                </div>
              </PostForm>
            </>
          ) : null}
          <h2 id="point-typed">{t("map.point.typedTitle")}</h2>
          <PostForm noValidate aria-labelledby="point-typed">
            <input type="hidden" name="intent" value="point" />
            <Field
              name="lat"
              label={t("map.point.lat")}
              hint={t("map.point.latHint")}
              dir="ltr"
              defaultValue={intent === "point" ? result?.values.lat : (data.proposal.lat?.toString() ?? "")}
              error={intent === "point" ? result?.errors?.lat : undefined}
            />
            <Field
              name="lon"
              label={t("map.point.lon")}
              dir="ltr"
              defaultValue={intent === "point" ? result?.values.lon : (data.proposal.lon?.toString() ?? "")}
              error={intent === "point" ? result?.errors?.lon : undefined}
            />
            <button type="submit">{t("map.point.save")}</button>
          </PostForm>
          {data.hasAddresses ? (
            <>
              <h2 id="point-address">{t("map.point.addressTitle")}</h2>
              <PostForm noValidate aria-labelledby="point-address">
                <input type="hidden" name="intent" value="address" />
                <Field
                  name="address"
                  label={t("map.point.address")}
                  defaultValue={intent === "address" ? result?.values.address : ""}
                  error={intent === "address" ? result?.errors?.address : undefined}
                />
                {result?.suggestions?.length ? (
                  <div>
                    <p>{t("map.point.suggestions")}</p>
                    <ul>
                      {result.suggestions.map((s) => (
                        <li key={s}>{s}</li>
                      ))}
                    </ul>
                  </div>
                ) : null}
                <button type="submit">{t("map.point.save")}</button>
              </PostForm>
            </>
          ) : null}
          {data.proposal.lat !== null ? (
            <PostForm>
              <input type="hidden" name="intent" value="clear" />
              <button type="submit">{t("map.point.clear")}</button>
            </PostForm>
          ) : null}
        </>
      ) : (
        <p className="notice">{t("map.point.closed")}</p>
      )}
    </>
  );
}
