// A strict RFC 4180 reader for checking exports (independent of lib/csv.ts).
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      field += ch; i++; continue;
    }
    if (ch === '"' && field === "") { quoted = true; i++; continue; }
    if (ch === ",") { row.push(field); field = ""; i++; continue; }
    if (ch === "\r" && text[i + 1] === "\n") { row.push(field); rows.push(row); row = []; field = ""; i += 2; continue; }
    if (ch === '"' || ch === "\n" || ch === "\r") throw new Error(`bad CSV at ${i}: ${JSON.stringify(text.slice(i - 10, i + 10))}`);
    field += ch; i++;
  }
  if (field !== "" || row.length) throw new Error("CSV does not end with CRLF");
  return rows;
}
