import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  GEOJSON_MAX_BYTES,
  containsPoint,
  readDistrictsGeoJson,
  readPoint,
  selfIntersection,
} from "../../app/domain/geo/geojson";
import { drawMap, unproject } from "../../app/domain/geo/projection";
import { districtsPicture } from "../../app/domain/geo/picture";
import { foldAddress, readAddressesCsv } from "../../app/domain/geo/addresses";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/geo/${name}`, import.meta.url), "utf8");

function collection(...features: unknown[]) {
  return JSON.stringify({ type: "FeatureCollection", features });
}
function feature(code: unknown, geometry: unknown) {
  return { type: "Feature", properties: { code }, geometry };
}
const square = [
  [
    [51.3, 35.7],
    [51.4, 35.7],
    [51.4, 35.8],
    [51.3, 35.8],
    [51.3, 35.7],
  ],
];

describe("districts GeoJSON", () => {
  it("reads polygons and multipolygons with their codes and names", () => {
    const result = readDistrictsGeoJson(fixture("districts.geojson"));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.districts.map((d) => d.key)).toEqual(["north", "south"]);
    expect(result.districts[0]?.name).toEqual({ en: "North", fa: "شمال" });
    expect(result.districts[0]?.coordinates).toHaveLength(1);
    expect(result.districts[0]?.coordinates[0]).toHaveLength(2); // outer ring and a hole
    expect(result.districts[1]?.coordinates).toHaveLength(2);
    expect(result.districts[1]?.name).toEqual({ en: "South", fa: undefined });
  });

  it("refuses a self-intersecting polygon, naming the feature, its code and where it crosses", () => {
    const result = readDistrictsGeoJson(fixture("bowtie.geojson"));
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          code: "self_intersection",
          feature: 1,
          key: "east",
          params: { polygon: 1, ring: 1, lon: 51.35, lat: 35.7 },
        },
      ],
    });
  });

  it("finds a ring that only touches itself, and accepts a plain square", () => {
    expect(
      selfIntersection([
        [0, 0],
        [2, 0],
        [1, 1],
        [2, 2],
        [0, 2],
        [1, 1],
      ]),
    ).not.toBeNull();
    expect(selfIntersection(square[0]!.slice(0, -1) as [number, number][])).toBeNull();
  });

  it("refuses coordinates outside longitude and latitude ranges", () => {
    const result = readDistrictsGeoJson(
      collection(
        feature("north", {
          type: "Polygon",
          coordinates: [
            [
              [351.3, 35.7],
              [351.4, 35.7],
              [351.4, 35.8],
              [351.3, 35.7],
            ],
          ],
        }),
      ),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toMatchObject({ code: "out_of_bounds", feature: 1, key: "north" });
    expect(result.problems[0]?.params.lon).toBe(351.3);
  });

  it("refuses an absurd area and a degenerate one", () => {
    const huge = [
      [
        [-60, -40],
        [60, -40],
        [60, 40],
        [-60, 40],
        [-60, -40],
      ],
    ];
    const tiny = [
      [
        [51.3, 35.7],
        [51.300001, 35.7],
        [51.300001, 35.700001],
        [51.3, 35.7],
      ],
    ];
    const result = readDistrictsGeoJson(
      collection(
        feature("a", { type: "Polygon", coordinates: huge }),
        feature("b", { type: "Polygon", coordinates: tiny }),
      ),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.feature, p.code])).toEqual([
      [1, "area_too_large"],
      [2, "area_too_small"],
    ]);
  });

  it("refuses wrong types: not JSON, not a collection, points and lines, bad coordinates, open rings", () => {
    expect(readDistrictsGeoJson("{ nope")).toMatchObject({ ok: false, problems: [{ code: "not_json" }] });
    expect(readDistrictsGeoJson(JSON.stringify({ type: "Feature" }))).toMatchObject({
      ok: false,
      problems: [{ code: "not_feature_collection" }],
    });
    expect(readDistrictsGeoJson(collection())).toMatchObject({ ok: false, problems: [{ code: "no_features" }] });
    const result = readDistrictsGeoJson(
      collection(
        feature("p", { type: "Point", coordinates: [51.3, 35.7] }),
        feature("l", {
          type: "LineString",
          coordinates: [
            [51.3, 35.7],
            [51.4, 35.7],
          ],
        }),
        feature("s", { type: "Polygon", coordinates: [[["51.3", 35.7]]] }),
        feature("o", { type: "Polygon", coordinates: [square[0]!.slice(0, -1)] }),
        feature(null, { type: "Polygon", coordinates: square }),
        feature("Bad Code!", { type: "Polygon", coordinates: square }),
        feature("ok", { type: "Polygon", coordinates: square }),
        feature("ok", { type: "Polygon", coordinates: square }),
        { type: "Nonsense" },
      ),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.feature, p.code])).toEqual([
      [1, "geometry_type"],
      [2, "geometry_type"],
      [3, "coordinates"],
      [4, "ring_not_closed"],
      [5, "key_missing"],
      [6, "key_invalid"],
      [8, "key_duplicate"],
      [9, "not_feature"],
    ]);
    expect(result.problems[1]?.params.type).toBe("LineString");
  });

  it("refuses a huge file before reading it", () => {
    const big = collection(feature("a", { type: "Polygon", coordinates: square })) + " ".repeat(GEOJSON_MAX_BYTES);
    expect(readDistrictsGeoJson(big)).toMatchObject({ ok: false, problems: [{ code: "too_large" }] });
  });

  it("refuses too many points even under the byte limit", () => {
    const ring: number[][] = [];
    for (let i = 0; i < 6000; i++) {
      const a = (i / 6000) * 2 * Math.PI;
      ring.push([51.4 + 0.05 * Math.cos(a), 35.7 + 0.05 * Math.sin(a)]);
    }
    ring.push(ring[0]!);
    const result = readDistrictsGeoJson(collection(feature("round", { type: "Polygon", coordinates: [ring] })));
    expect(result).toMatchObject({ ok: false, problems: [{ code: "too_many_points" }] });
  });
});

describe("points", () => {
  const shape = [
    [
      [
        [51.3, 35.72],
        [51.5, 35.72],
        [51.5, 35.8],
        [51.3, 35.8],
        [51.3, 35.72],
      ],
      [
        [51.38, 35.75],
        [51.4, 35.75],
        [51.4, 35.77],
        [51.38, 35.77],
        [51.38, 35.75],
      ],
    ],
  ] as [number, number][][][];

  it("lie inside a district, not in its holes, not outside", () => {
    expect(containsPoint(shape, 51.32, 35.73)).toBe(true);
    expect(containsPoint(shape, 51.39, 35.76)).toBe(false);
    expect(containsPoint(shape, 51.6, 35.76)).toBe(false);
  });

  it("are read from typed degrees, Persian digits too, and refused out of range", () => {
    expect(readPoint("35.73", "51.32")).toEqual({ lat: 35.73, lon: 51.32 });
    expect(readPoint("۳۵٫۷۳", "۵۱٫۳۲")).toEqual({ lat: 35.73, lon: 51.32 });
    // Arabic-Indic digits, as an Arabic keyboard types them.
    expect(readPoint("٣٥٫٧٣", "٥١٫٣٢")).toEqual({ lat: 35.73, lon: 51.32 });
    expect(readPoint("95", "51")).toBeNull();
    expect(readPoint("35", "181")).toBeNull();
    expect(readPoint("35N", "51")).toBeNull();
    expect(readPoint("", "51")).toBeNull();
  });
});

describe("the drawn map", () => {
  it("puts north up, west left, inside the drawing, and draws every ring", () => {
    const drawing = drawMap({
      districts: [{ id: "n", coordinates: shape() }],
      points: [
        { id: "a", lat: 35.79, lon: 51.31 },
        { id: "b", lat: 35.73, lon: 51.49 },
      ],
    });
    expect(drawing).not.toBeNull();
    if (!drawing) return;
    const [a, b] = drawing.points;
    expect(a!.x).toBeLessThan(b!.x);
    expect(a!.y).toBeLessThan(b!.y);
    for (const p of drawing.points) {
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.x).toBeLessThanOrEqual(drawing.width);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeLessThanOrEqual(drawing.height);
    }
    expect(drawing.districts[0]!.path.match(/Z/g)).toHaveLength(2);
    expect(drawing.width).toBe(600);
  });

  it("is null with nothing to draw", () => {
    expect(drawMap({ districts: [], points: [] })).toBeNull();
  });

  it("reads a spot of the drawing back as the position drawn there (within a drawing unit)", () => {
    const drawing = drawMap({
      districts: [{ id: "n", coordinates: shape() }],
      points: [{ id: "a", lat: 35.7612, lon: 51.4021 }],
    });
    if (!drawing) throw new Error("no drawing");
    const [a] = drawing.points;
    const back = unproject(drawing.frame, a!.x, a!.y);
    // One drawing unit is a few tens of metres at a city's scale; 0.1 units of rounding, less.
    const unit = 1 / drawing.frame.scale;
    expect(Math.abs(back.lat - 35.7612)).toBeLessThan(unit);
    expect(Math.abs(back.lon - 51.4021)).toBeLessThan(unit / drawing.frame.kx);
    // The middle of the drawing is the middle of what it holds.
    const middle = unproject(drawing.frame, drawing.width / 2, drawing.height / 2);
    expect(middle).toEqual({
      lat: Math.round(drawing.frame.midLat * 1e6) / 1e6,
      lon: Math.round(drawing.frame.midLon * 1e6) / 1e6,
    });
  });

  it("makes a picture of the districts with the names escaped and nothing active in it", () => {
    const drawing = drawMap({ districts: [{ id: "n", coordinates: shape() }], points: [] });
    if (!drawing) throw new Error("no drawing");
    const svg = districtsPicture(drawing, new Map([["n", `North <script>alert("x")</script> & "co"`]]), "ltr");
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain("North &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;co&quot;");
    expect(svg).not.toMatch(/<script|<a |href=|on\w+=/i);
    expect(svg).toContain(`width="${drawing.width}" height="${drawing.height}"`);
  });

  function shape(): [number, number][][][] {
    return [
      [
        [
          [51.3, 35.72],
          [51.5, 35.72],
          [51.5, 35.8],
          [51.3, 35.8],
          [51.3, 35.72],
        ],
        [
          [51.38, 35.75],
          [51.4, 35.75],
          [51.4, 35.77],
          [51.38, 35.77],
          [51.38, 35.75],
        ],
      ],
    ];
  }
});

describe("the addresses list", () => {
  it("folds Arabic letters, digits and joiners so people's spellings match", () => {
    expect(foldAddress("خيابان  كوثر، پلاک ۱۲")).toBe(foldAddress("خیابان کوثر پلاک 12"));
    expect(foldAddress("می\u200cرود")).toBe("می رود");
    expect(foldAddress("12, Park-Lane")).toBe("12 park lane");
  });

  it("reads address,lat,lon rows and names the lines it refuses", () => {
    expect(readAddressesCsv("address,lat,lon\nPark Lane 1,35.7,51.4\n")).toEqual({
      ok: true,
      rows: [{ key: "park lane 1", label: "Park Lane 1", lat: 35.7, lon: 51.4 }],
    });
    expect(
      readAddressesCsv("address,lat,lon\nA,35.7\nB,95,51\nPark Lane 1,35.7,51.4\npark-lane 1,35.7,51.4\n"),
    ).toEqual({
      ok: false,
      problems: [
        { code: "columns", line: 2 },
        { code: "point", line: 3 },
        { code: "duplicate", line: 5 },
      ],
    });
    expect(readAddressesCsv("name,x,y\n")).toEqual({ ok: false, problems: [{ code: "header", line: 1 }] });
  });
});

describe("the demo map", () => {
  it("is a valid districts file, and each demo point lies in the district its proposal is for", async () => {
    const { DEMO_DISTRICTS_GEOJSON, DEMO_POINTS, DEMO_ADDRESSES } = await import(
      "../../app/services/demo/demo-map.server"
    );
    const read = readDistrictsGeoJson(DEMO_DISTRICTS_GEOJSON);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    const shape = (code: string) => read.districts.find((d) => d.key === code)!.coordinates;
    const inside = ([lat, lon]: [number, number]) =>
      ["north", "center", "south"].filter((c) => containsPoint(shape(c), lon, lat));
    expect(inside(DEMO_POINTS["Playground renovation in Laleh park"]!)).toEqual(["north"]);
    expect(inside(DEMO_POINTS["Street lighting in the old bazaar"]!)).toEqual(["south"]);
    expect(inside(DEMO_POINTS["Green roof on the city library"]!)).toEqual(["center"]);
    for (const point of Object.values(DEMO_POINTS)) expect(inside(point)).toHaveLength(1);
    for (const a of DEMO_ADDRESSES) expect(inside([a.lat, a.lon])).toHaveLength(1);
  });
});
