import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "../components/i18n";
import { pickText } from "../domain/i18n";
import { roleLabel } from "../components/labels";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, demoAccountsPresent } from "../services/demo/demo.server";
import { freeDemoIdentities } from "../services/demo/demo-census.server";
import { listMunicipalities } from "../services/tenancy/municipality.server";
import { pageTitle } from "../components/page-title";
import { TableScroll } from "../components/TableScroll";
import { observer, userActor } from "../services/scope";
import { optionalUser } from "../web/guards.server";
import { staffMunicipalities } from "../services/staff/dashboard.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches);

/** Public: anyone may see which municipalities run rounds here. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const current = await optionalUser(request, context);
  const [municipalities, demo, workplaces] = await Promise.all([
    listMunicipalities(context.db, { actor: observer }),
    demoAccountsPresent(context.db),
    current ? staffMunicipalities(context.db, { actor: userActor(current.user) }) : [],
  ]);
  return json({
    // Staff land here after logging in: a link to what needs them in each municipality they work for.
    workplaces: workplaces.map((w) => ({ slug: w.slug, name: w.name })),
    municipalities: municipalities.map((m) => ({ slug: m.slug, name: m.name })),
    demoAccounts: demo ? DEMO_ACCOUNTS.map((a) => ({ ...a, password: DEMO_PASSWORD })) : [],
    // A few census identities still free, for testers who sign up accounts of their own.
    demoIdentities: demo ? await freeDemoIdentities(context.db, { count: 5 }) : [],
  });
}

export default function Index() {
  const t = useT();
  const locale = useLocale();
  const { municipalities, demoAccounts, workplaces, demoIdentities } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>{t("app.tagline")}</h1>
      {workplaces.length > 0 ? (
        <section className="notice" aria-labelledby="workplaces">
          <h2 id="workplaces">{t("staff.dashboard.yourMunicipalities")}</h2>
          <ul>
            {workplaces.map((w) => (
              <li key={w.slug}>
                <Link to={`/m/${w.slug}/admin`}>
                  {t("staff.dashboard")} — {pickText(w.name, locale)}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <h2>{t("home.title")}</h2>
      <p>{t("home.intro")}</p>
      {municipalities.length === 0 ? (
        <p>{t("home.none")}</p>
      ) : (
        <ul className="card-list">
          {municipalities.map((m) => (
            <li key={m.slug}>
              <Link to={`/m/${m.slug}`}>{pickText(m.name, locale)}</Link>
            </li>
          ))}
        </ul>
      )}
      {demoAccounts.length > 0 ? (
        <section className="notice" aria-labelledby="demo-title">
          <h2 id="demo-title">{t("home.demoTitle")}</h2>
          <p>{t("home.demoIntro")}</p>
          <TableScroll>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("home.demoRole")}</th>
                  <th scope="col">{t("home.demoEmail")}</th>
                  <th scope="col">{t("home.demoPassword")}</th>
                </tr>
              </thead>
              <tbody>
                {demoAccounts.map((a) => (
                  <tr key={a.email}>
                    <td>{t(roleLabel[a.role])}</td>
                    <td dir="ltr">{a.email}</td>
                    <td dir="ltr">
                      <code>{a.password}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          {demoIdentities.length > 0 ? (
            <>
              <h3 id="demo-identities">{t("home.demoIdentities")}</h3>
              <p>{t("home.demoIdentitiesIntro")}</p>
              <TableScroll>
                <table aria-labelledby="demo-identities">
                  <thead>
                    <tr>
                      <th scope="col">{t("home.demoNationalId")}</th>
                      <th scope="col">{t("home.demoBirthDate")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {demoIdentities.map((identity) => (
                      <tr key={identity.nationalId}>
                        <td dir="ltr">
                          <code>{identity.nationalId}</code>
                        </td>
                        <td dir="ltr">{identity.birthDate}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroll>
            </>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
