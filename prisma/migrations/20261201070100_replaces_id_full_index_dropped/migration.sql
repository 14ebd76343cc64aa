-- The partial index built by the migration before this one takes over the
-- unique index's name; dropping an index reads no rows, so the table is
-- locked only for a moment. schema.prisma keeps `@unique`: Prisma 6 cannot
-- spell the predicate, and reads this index as that one.
DROP INDEX "api_keys_replaces_id_key";
ALTER INDEX "api_keys_replaces_id_partial" RENAME TO "api_keys_replaces_id_key";
