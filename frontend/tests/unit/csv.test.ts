import { describe, expect, it } from "vitest";
import { csvField, csvRow } from "../../lib/csv";

describe("csv", () => {
  it("leaves plain fields alone", () => {
    expect(csvField("DE")).toBe("DE");
    expect(csvField(12.5)).toBe("12.5");
    expect(csvField(null)).toBe("");
    expect(csvField(true)).toBe("true");
  });
  it("quotes fields with commas, quotes and line breaks, doubling quotes", () => {
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\rhere")).toBe('"cr\rhere"');
  });
  it("defuses text a spreadsheet would run as a formula", () => {
    expect(csvField("=SUM(A1)")).toBe("'=SUM(A1)");
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("@cmd")).toBe("'@cmd");
    expect(csvField("-2+3,x")).toBe(`"'-2+3,x"`);
    // Numbers are data, not text: a negative amount stays a number.
    expect(csvField(-5)).toBe("-5");
  });
  it("writes dates as ISO 8601 and objects as JSON", () => {
    expect(csvField(new Date("2024-05-01T10:00:00Z"))).toBe("2024-05-01T10:00:00.000Z");
    expect(csvField({ a: 1 })).toBe('"{""a"":1}"');
  });
  it("ends records with CRLF", () => {
    expect(csvRow(["a", null, "b,c"])).toBe('a,,"b,c"\r\n');
  });
});
