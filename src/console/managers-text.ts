// A manager list as one line of text, for the history: "Ann Smith (was Ann Manager), Bob Boss; retired: Cy".
import { ManagerList, toManagers } from "../tenants/managers.ts";

export function describeManagerList(value: unknown): string {
  const parsed = ManagerList.safeParse(value);
  if (!parsed.success) return "(unreadable)";
  const managers = toManagers(parsed.data);
  const active = managers.filter((m) => !m.retired).map((m) => (m.aliases.length ? `${m.name} (was ${m.aliases.join(", ")})` : m.name));
  const retired = managers.filter((m) => m.retired).map((m) => m.name);
  return `${active.join(", ")}${retired.length ? `; retired: ${retired.join(", ")}` : ""}`;
}
