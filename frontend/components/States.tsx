// What a page says instead of data: why there is none, and what to do.
import type { ReactNode } from "react";
import type { DatabaseError } from "@/lib/db";

const TITLES: Record<DatabaseError["kind"], string> = {
  not_configured: "No database configured",
  unreachable: "Database unreachable",
  no_schema: "Database schema missing",
  query_failed: "Query failed",
};

export function ErrorState({ error }: { error: DatabaseError }) {
  return (
    <div className="state state-error" role="alert" data-error-kind={error.kind}>
      <h2>{TITLES[error.kind]}</h2>
      <p>{error.message}</p>
      <p className="state-hint">{error.hint}</p>
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty" role="status">
      <h2>{title}</h2>
      {children && <div className="state-body">{children}</div>}
    </div>
  );
}
