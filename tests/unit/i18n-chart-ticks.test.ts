import { describe, expect, it } from "vitest";
import { barChartScales } from "../../app/components/charts/scales";

describe("chart ticks", () => {
  it("are written in Persian digits on Persian pages, the zero tick included", () => {
    const vertical = barChartScales({ rtl: true });
    expect(vertical.y.ticks?.callback(0)).toBe("۰");
    expect(vertical.y.ticks?.callback(1500)).toBe("۱٬۵۰۰");
    const horizontal = barChartScales({ horizontal: true, rtl: true });
    expect(horizontal.x.ticks?.callback(0)).toBe("۰");
    expect(barChartScales({}).y.ticks?.callback(1500)).toBe("1,500");
  });
});
