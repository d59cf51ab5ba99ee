// Server-Sent Events: every tab subscribes to the process's one LISTEN
// connection (lib/liveListener.ts). Events: `status` and `anomaly`.
import { anomalyListener, type LiveEvent } from "@/lib/liveListener";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

// Proxies close idle streams; a comment line every so often keeps this one open.
const KEEPALIVE_MS = 15_000;

export function GET(request: Request) {
  const encoder = new TextEncoder();
  let stop = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const write = (text: string) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      const send = (e: LiveEvent) =>
        write(e.type === "anomaly" ? `event: anomaly\ndata: ${JSON.stringify(e.anomaly)}\n\n` : `event: status\ndata: ${JSON.stringify({ state: e.state, message: e.message })}\n\n`);
      // Tell the browser to retry after a second if the stream breaks.
      write("retry: 1000\n\n");
      const unsubscribe = anomalyListener().subscribe(send);
      const keepalive = setInterval(() => write(": keep-alive\n\n"), KEEPALIVE_MS);
      stop = () => {
        if (!open) return;
        open = false;
        clearInterval(keepalive);
        unsubscribe();
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      request.signal.addEventListener("abort", () => stop());
    },
    cancel() {
      stop();
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    },
  });
}
