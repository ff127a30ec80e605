CREATE TABLE `tenant_audit` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`version` integer NOT NULL,
	`at` text NOT NULL,
	`actor` text NOT NULL,
	`source` text NOT NULL,
	`action` text NOT NULL,
	`changes` text NOT NULL,
	`reason` text,
	`published_at` text,
	`publish_attempts` integer DEFAULT 0 NOT NULL,
	`publish_failed_at` text,
	`publish_error` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tenant_audit_tenant_version` ON `tenant_audit` (`tenant_id`,`version`);--> statement-breakpoint
CREATE TABLE `tenant_records` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`record` text,
	`version` integer NOT NULL,
	`last_audit_id` text NOT NULL,
	`updated_at` text NOT NULL,
	`published_version` integer DEFAULT 0 NOT NULL
);
