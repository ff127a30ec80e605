CREATE TABLE `delivery_cursors` (
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	`last_version` integer NOT NULL,
	`last_event_id` text NOT NULL,
	`delivered_at` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `user_id`)
);
