CREATE TABLE `change_events` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	`type` text NOT NULL,
	`version` integer NOT NULL,
	`occurred_at` text NOT NULL,
	`payload` text NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`enqueued_at` text,
	`delivered_at` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_status` integer,
	`last_error` text
);
--> statement-breakpoint
CREATE INDEX `change_events_state_occurred` ON `change_events` (`state`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `change_events_user_version` ON `change_events` (`tenant_id`,`user_id`,`version`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`user_name` text NOT NULL,
	`mobile` text NOT NULL,
	`external_id` text,
	`active` integer NOT NULL,
	`manager` text,
	`version` integer NOT NULL,
	`last_event_id` text NOT NULL,
	`resource` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_tenant_mobile` ON `users` (`tenant_id`,`mobile`);--> statement-breakpoint
CREATE INDEX `users_tenant_external_id` ON `users` (`tenant_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `users_tenant_id` ON `users` (`tenant_id`,`id`);