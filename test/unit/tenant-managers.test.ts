// The managers of an allow-list record (src/tenants/managers.ts) and how the CLI edits them
// (src/tenants/manager-edits.ts): keys that never change, old plain-name records read unchanged.
import { describe, expect, it } from "vitest";
import { editManagers, ManagerEditError } from "../../src/tenants/manager-edits.ts";
import { asEntries, managerKeyFor, managerNamed, managersOf, managerWithKey, MANAGER_KEY_PATTERN, toManagers } from "../../src/tenants/managers.ts";
import { TenantRecord } from "../../src/tenants/record.ts";

const NOW = "2026-12-01T10:00:00.000Z";
const record = (managers: unknown) => TenantRecord.safeParse({ accountId: "A1", name: "Contoso", managers, enabled: true });

describe("manager keys", () => {
  it.each([
    ["Ann Manager", "ann-manager"],
    ["  Émile  Zoë ", "emile-zoe"],
    ["O'Brien & Sons, Ltd.", "o-brien-sons-ltd"],
    ["张伟", "manager"],
    ["x".repeat(80), "x".repeat(36)],
  ])("derives %j -> %s, always a valid key", (name, key) => {
    expect(managerKeyFor(name)).toBe(key);
    expect(MANAGER_KEY_PATTERN.test(managerKeyFor(name))).toBe(true);
  });

  it("reads an old record of plain names unchanged, giving each a key in list order, duplicates numbered", () => {
    const parsed = record(["Ann Manager", "Ann-Manager!", "Bob Boss"]);
    expect(parsed.success).toBe(true);
    expect(managersOf(parsed.data as TenantRecord)?.map((m) => [m.key, m.name, m.retired])).toEqual([
      ["ann-manager", "Ann Manager", false],
      ["ann-manager-2", "Ann-Manager!", false],
      ["bob-boss", "Bob Boss", false],
    ]);
  });

  it("gives an explicit key precedence over a derived one, so a mixed list cannot collide", () => {
    expect(toManagers([" Ann Manager", { key: "ann-manager", name: "Someone Else" }]).map((m) => m.key)).toEqual(["ann-manager-2", "ann-manager"]);
  });

  it("writes the same keys the Worker derives when the CLI turns plain names into entries (URLs given out keep working)", () => {
    const list = ["Ann Manager", "Ann-Manager!", "Bob Boss"];
    expect(asEntries(list).map((e) => e.key)).toEqual(toManagers(list).map((m) => m.key));
  });

  it("finds a manager by name or alias ignoring case, and by key ignoring case, retired ones included", () => {
    const managers = toManagers([
      { key: "ann", name: "Ann Smith", aliases: ["Ann Manager"] },
      { key: "cy", name: "Cy Chief", retiredAt: NOW },
    ]);
    expect(managerNamed(managers, " ann manager ")?.key).toBe("ann");
    expect(managerNamed(managers, "CY CHIEF")?.retired).toBe(true);
    expect(managerNamed(managers, "Bob")).toBeUndefined();
    expect(managerWithKey(managers, "ANN")?.name).toBe("Ann Smith");
    expect(managerWithKey(managers, "toString")).toBeUndefined();
  });
});

describe("the record's manager list", () => {
  it.each([
    ["names equal but for case", ["Ann", " ann "], "manager names must be unique"],
    ["an alias equal to another manager's name", [{ key: "a", name: "Ann", aliases: ["Bob"] }, "Bob"], "manager names must be unique"],
    ["a retired manager's name reused", [{ key: "a", name: "Ann", retiredAt: NOW }, { key: "b", name: "ANN" }], "manager names must be unique"],
    ["two equal keys", [{ key: "a", name: "Ann" }, { key: "a", name: "Bob" }], "manager keys must be unique"],
    ["only retired managers", [{ key: "a", name: "Ann", retiredAt: NOW }], "at least one manager must not be retired"],
    ["a key with capitals or slashes", [{ key: "Ann/1", name: "Ann" }], "a manager key is"],
    ["an unknown field", [{ key: "a", name: "Ann", url: "x" }], ""],
  ])("refuses %s", (_what, managers, message) => {
    const parsed = record(managers);
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain(message);
  });
});

describe("editing the list (tenants update)", () => {
  const start = () => asEntries(["Ann Manager", "Bob Boss"]);

  it("renames in place: same key, the old name kept as an alias, and says whose users to move", () => {
    const { managers, changes } = editManagers(start(), { rename: [{ from: "ann manager", to: "Ann Smith" }] }, NOW);
    expect(managers).toEqual([{ key: "ann-manager", name: "Ann Smith", aliases: ["Ann Manager"] }, { key: "bob-boss", name: "Bob Boss" }]);
    expect(changes).toEqual([{ kind: "renamed", key: "ann-manager", from: ["Ann Manager"], to: "Ann Smith" }]);
  });

  it("renames back onto an alias, swapping them, and a second rename keeps every former name", () => {
    const once = editManagers(start(), { rename: [{ from: "Ann Manager", to: "Ann Smith" }] }, NOW).managers;
    expect(editManagers(once, { rename: [{ from: "Ann Smith", to: "Ann Manager" }] }, NOW).managers?.[0]).toEqual({
      key: "ann-manager",
      name: "Ann Manager",
      aliases: ["Ann Smith"],
    });
    const twice = editManagers(once, { rename: [{ from: "Ann Smith", to: "Ann Jones" }] }, NOW);
    expect(twice.managers?.[0]).toEqual({ key: "ann-manager", name: "Ann Jones", aliases: ["Ann Manager", "Ann Smith"] });
    expect(twice.changes).toEqual([{ kind: "renamed", key: "ann-manager", from: ["Ann Smith", "Ann Manager"], to: "Ann Jones" }]);
  });

  it("repeats a rename that already happened as a no-op on the record that still moves the users", () => {
    const once = editManagers(start(), { rename: [{ from: "Ann Manager", to: "Ann Smith" }] }, NOW).managers;
    const again = editManagers(once, { rename: [{ from: "Ann Manager", to: "Ann Smith" }] }, NOW);
    expect(again.managers).toEqual(once);
    expect(again.changes).toEqual([{ kind: "renamed", key: "ann-manager", from: ["Ann Manager"], to: "Ann Smith" }]);
  });

  it("retires a removed manager (its key stays), and brings it back with the same key when added again", () => {
    const removed = editManagers(start(), { remove: ["BOB BOSS"] }, NOW);
    expect(removed.managers?.[1]).toEqual({ key: "bob-boss", name: "Bob Boss", retiredAt: NOW });
    expect(removed.changes).toEqual([{ kind: "retired", key: "bob-boss", names: ["Bob Boss"] }]);
    expect(editManagers(removed.managers, { add: ["bob boss"] }, NOW).managers?.[1]).toEqual({ key: "bob-boss", name: "Bob Boss" });
  });

  it("retires the managers a replacing list leaves out, and gives new ones keys that are not taken", () => {
    const { managers } = editManagers(asEntries(["Ann Manager", "Bob Boss"]), { replace: ["Bob Boss", "Ann-Manager"] }, NOW);
    expect(managers).toEqual([
      { key: "ann-manager", name: "Ann Manager", retiredAt: NOW },
      { key: "bob-boss", name: "Bob Boss" },
      { key: "ann-manager-2", name: "Ann-Manager" },
    ]);
  });

  it.each([
    ["renaming to another manager's name", { rename: [{ from: "Ann Manager", to: "bob boss" }] }, "already a name"],
    ["renaming a manager that is not there", { rename: [{ from: "Cy", to: "Dee" }] }, 'Not a manager of this tenant: "Cy"'],
    ["removing a retired manager", { remove: ["Cy Chief"] }, "Not a manager"],
    ["removing every manager", { remove: ["Ann Manager", "Bob Boss"] }, "leave no manager"],
    ["removing an alias that is not one", { removeAliases: ["Ann Manager"] }, "not a former name"],
  ])("refuses %s", (_what, edit, message) => {
    const list = [...start(), { key: "cy-chief", name: "Cy Chief", retiredAt: NOW }];
    expect(() => editManagers(list, edit, NOW)).toThrow(ManagerEditError);
    expect(() => editManagers(list, edit, NOW)).toThrow(message);
  });

  it("refuses to add a former name as a new manager until its alias is removed", () => {
    const renamed = editManagers(start(), { rename: [{ from: "Ann Manager", to: "Ann Smith" }] }, NOW).managers;
    expect(() => editManagers(renamed, { add: ["Ann Manager"] }, NOW)).toThrow("--remove-alias");
    const cleared = editManagers(renamed, { removeAliases: ["ann manager"] }, NOW).managers;
    expect(cleared?.[0]).toEqual({ key: "ann-manager", name: "Ann Smith" });
    expect(editManagers(cleared, { add: ["Ann Manager"] }, NOW).managers?.at(-1)).toEqual({ key: "ann-manager-2", name: "Ann Manager" });
  });
});
