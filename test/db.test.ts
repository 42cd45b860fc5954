import { expect, it } from "vitest";
import { describeOnDatabases } from "./helpers/databases.js";

describeOnDatabases("database adapter", (db) => {
  it("runs scripts and parameterised queries", async () => {
    await db().exec("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a'), (2, NULL);");
    const { rows } = await db().query<{ n: number }>("SELECT count(*)::int AS n FROM t WHERE v IS NOT DISTINCT FROM $1", [null]);
    expect(rows).toEqual([{ n: 1 }]);
    const updated = await db().query("UPDATE t SET v = 'b' WHERE id = $1", [2]);
    expect(updated.rowCount).toBe(1);
  });
});
