import { redirect } from "next/navigation";
import { EmptyState } from "@/components/States";

export const dynamic = "force-dynamic";

/** The header's "go to user" box lands here. */
export default async function UsersPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const id = (await searchParams).id?.trim();
  if (id) redirect(`/users/${encodeURIComponent(id)}`);
  return (
    <EmptyState title="Which user?">
      <p>Type a user id in the box at the top, or open one from an anomaly.</p>
    </EmptyState>
  );
}
