/**
 * The privacy notice's sections (ADR 0026), translated by the page's loader: long texts only that
 * page shows, so the strings every other page downloads leave them out (app/tooling/resident-keys.ts
 * does not read server modules).
 */
import type { MessageKey, Translator } from "../domain/i18n";

const sections: [MessageKey, MessageKey][] = [
  ["privacy.account.title", "privacy.account.body"],
  ["privacy.ids.title", "privacy.ids.body"],
  ["privacy.ballots.title", "privacy.ballots.body"],
  ["privacy.public.title", "privacy.public.body"],
  ["privacy.staff.title", "privacy.staff.body"],
  ["privacy.messages.title", "privacy.messages.body"],
  ["privacy.yourData.title", "privacy.yourData.body"],
];

export function privacySections(t: Translator): { title: string; body: string }[] {
  return sections.map(([title, body]) => ({ title: t(title), body: t(body) }));
}
