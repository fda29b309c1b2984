/**
 * A districts drawing as a standalone SVG picture (ADR 0035): what the point form shows as a map to
 * click without JavaScript (`<input type="image">` sends the spot clicked, `unproject` reads it).
 * Names are escaped; the picture holds no script and no link.
 */
import type { MapDrawing } from "./projection";

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] ?? c);

export function districtsPicture(
  drawing: Pick<MapDrawing, "width" | "height" | "districts">,
  names: ReadonlyMap<string, string>,
  direction: "ltr" | "rtl",
): string {
  const districts = drawing.districts
    .map(
      (d) =>
        `<path d="${d.path}" fill="#f6f7f9" stroke="#5b6472" stroke-width="1.5" fill-rule="evenodd"/>` +
        `<text x="${d.label[0]}" y="${d.label[1]}" text-anchor="middle" fill="#3d4450" font-size="13" font-family="sans-serif">${escapeXml(names.get(d.id) ?? "")}</text>`,
    )
    .join("");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${drawing.width}" height="${drawing.height}" viewBox="0 0 ${drawing.width} ${drawing.height}" direction="${direction}">` +
    `<rect width="100%" height="100%" fill="#ffffff"/>${districts}</svg>`
  );
}
