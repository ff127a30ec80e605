DROP INDEX `users_tenant_external_id`;--> statement-breakpoint
CREATE INDEX `users_tenant_external_id_id` ON `users` (`tenant_id`,`external_id`,`id`);