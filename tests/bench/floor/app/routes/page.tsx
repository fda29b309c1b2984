/** Roughly a ballot page: a heading, a list of ten items, a form of ten inputs; the action answers a receipt. */
import { type ActionFunctionArgs, json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";

export const loader = () =>
  json({
    title: "Green envelope",
    items: Array.from({ length: 10 }, (_, i) => ({
      id: `p${i}`,
      title: `Proposal ${i + 1}`,
      cost: 1000 * (i + 1),
    })),
  });

export async function action({ request }: ActionFunctionArgs) {
  const form = await request.formData();
  return json({ receipt: { ballotId: "x" }, fields: [...form.keys()].length });
}

export default function Page() {
  const { title, items } = useLoaderData<typeof loader>();
  return (
    <main>
      <h1>{title}</h1>
      <ul>
        {items.map((item) => (
          <li key={item.id}>
            {item.title} — {item.cost.toLocaleString("en")}
          </li>
        ))}
      </ul>
      <form method="post">
        <input type="hidden" name="intent" value="cast" />
        {items.slice(0, 9).map((item) => (
          <label key={item.id}>
            {item.title} <input type="number" name={`points.${item.id}`} min={0} max={9} defaultValue={0} />
          </label>
        ))}
        <button type="submit">Cast</button>
      </form>
    </main>
  );
}
