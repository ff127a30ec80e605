CREATE TABLE `tenant_usage` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`users` integer NOT NULL
);
--> statement-breakpoint
-- Added by hand to the generated migration before it shipped (issue 11 §3): the running count starts at each
-- tenant's current number of users. A tenant without a row counts as 0. Written as an upsert, so the same
-- statement re-counts every tenant if the counts ever drift (e.g. after a rollback to code that did not
-- count); docs/security.md shows it. "WHERE true" keeps SQLite from reading ON CONFLICT as a join.
INSERT INTO `tenant_usage` (`tenant_id`, `users`) SELECT `tenant_id`, count(*) FROM `users` WHERE true GROUP BY `tenant_id` ON CONFLICT (`tenant_id`) DO UPDATE SET `users` = excluded.`users`;
