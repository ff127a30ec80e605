CREATE TABLE `tenant_activity_counts` (
	`tenant_id` text NOT NULL,
	`bucket` text NOT NULL,
	`kind` text NOT NULL,
	`outcome` text NOT NULL,
	`count` integer NOT NULL,
	`last_at` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `bucket`, `kind`, `outcome`)
);
--> statement-breakpoint
CREATE INDEX `tenant_activity_counts_bucket` ON `tenant_activity_counts` (`bucket`);--> statement-breakpoint
CREATE TABLE `tenant_refusals` (
	`tenant_id` text NOT NULL,
	`request_id` text NOT NULL,
	`at` text NOT NULL,
	`kind` text NOT NULL,
	`status` integer NOT NULL,
	`scim_type` text,
	`reason` text,
	`detail` text NOT NULL,
	`sent` text,
	PRIMARY KEY(`tenant_id`, `request_id`)
);
--> statement-breakpoint
CREATE INDEX `tenant_refusals_tenant_at` ON `tenant_refusals` (`tenant_id`,`at`);--> statement-breakpoint
ALTER TABLE `change_events` ADD `request_id` text;