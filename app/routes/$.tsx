import { notFound } from "../web/http.server";

/** Any unknown address: a 404 page rendered by the root ErrorBoundary. */
export async function loader() {
  throw notFound();
}

export async function action() {
  throw notFound();
}

export default function NotFound() {
  return null;
}
