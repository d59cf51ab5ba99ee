// CSV as RFC 4180 writes it, safe to open in a spreadsheet.

// Merchant names and the like come from transaction input, i.e. from whoever
// sends transactions. A text cell starting with one of these is run as a
// formula by Excel/LibreOffice ("CSV injection"), so it gets a leading quote.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  let s: string;
  if (value instanceof Date) s = value.toISOString();
  else if (typeof value === "object") s = JSON.stringify(value);
  else s = String(value);
  if (typeof value === "string" && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record, CRLF-terminated as RFC 4180 asks. */
export function csvRow(values: readonly unknown[]): string {
  return values.map(csvField).join(",") + "\r\n";
}
