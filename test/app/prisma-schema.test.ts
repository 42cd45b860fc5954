/**
 * The minimal Prisma schema reader: models to tables, fields to columns, relations left out.
 */
import { expect, it } from "vitest";
import { parsePrismaSchema } from "../../src/app/prisma-schema.js";

it("reads @@map, @@schema, @map and skips relation fields, comments and strings with braces", () => {
  const models = parsePrismaSchema(`
// model Ghost { id Int @id }
model UserProfile {
  id          Int     @id @default(autoincrement()) // a comment with model Fake {
  displayName String? @map("display_name")
  bio         String  @default("{ not a block }")
  settings    Json    @default("{\\"a\\": 1}")
  user        User    @relation(fields: [userId], references: [id])
  userId      Int     @map(name: "user_id")
  tags        Tag[]

  @@map("user_profiles")
  @@schema("app")
  @@index([userId])
}

model User {
  id      Int           @id
  profile UserProfile?
}

model Tag {
  id Int @id
}
`);
  expect(models.map((m) => [m.name, m.clientProperty, m.schema, m.table])).toEqual([
    ["UserProfile", "userProfile", "app", "user_profiles"],
    ["User", "user", undefined, "User"],
    ["Tag", "tag", undefined, "Tag"],
  ]);
  expect(models[0]!.fields).toEqual([
    { name: "id", column: "id" },
    { name: "displayName", column: "display_name" },
    { name: "bio", column: "bio" },
    { name: "settings", column: "settings" },
    { name: "userId", column: "user_id" },
  ]);
  expect(models[1]!.fields).toEqual([{ name: "id", column: "id" }]);
});
