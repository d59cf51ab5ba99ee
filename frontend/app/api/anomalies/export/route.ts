// GET /api/anomalies/export?format=csv|json&<the Anomalies page's filters>:
// every matching row, in the table's order, streamed.
import { parseAnomalyQuery } from "@/lib/anomalyQuery";
import { exportSql } from "@/lib/anomalySql";
import { describeDbError } from "@/lib/db";
import { exportStream } from "@/lib/exportStream";
import { formatTime } from "@/lib/format";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(request: Request) {
  const params = new URL(request.url).searchParams;
  const format = params.get("format") ?? "csv";
  if (format !== "csv" && format !== "json") {
    return Response.json({ error: `format '${format}' is not csv or json` }, { status: 400 });
  }
  const q = parseAnomalyQuery(params);
  // An export must hold exactly what was asked for; a silently dropped
  // filter would make it hold more.
  const problems = q.problems.filter((p) => !/^(page|size) /.test(p));
  if (problems.length) return Response.json({ error: "invalid filter", problems }, { status: 400 });
  const sql = exportSql(q.filter, q.sort, q.dir);
  let body: ReadableStream<Uint8Array>;
  try {
    body = exportStream(sql, format);
    // Surface a connection failure as a status code, before any byte is sent.
    const reader = body.getReader();
    const head = await reader.read();
    body = new ReadableStream<Uint8Array>({
      start(controller) {
        if (head.value) controller.enqueue(head.value);
        if (head.done) controller.close();
      },
      async pull(controller) {
        const next = await reader.read();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
  } catch (e) {
    const err = describeDbError(e);
    return Response.json({ error: err.message, hint: err.hint }, { status: err.kind === "query_failed" ? 500 : 503 });
  }
  const stamp = formatTime(new Date()).replace(/[-: ]/g, "").slice(0, 13);
  return new Response(body, {
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="rtad-anomalies-${stamp}.${format}"`,
      "cache-control": "no-store",
    },
  });
}
