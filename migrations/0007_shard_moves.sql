CREATE TABLE `tenant_fences` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`shard` text NOT NULL,
	`since` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `tenant_moves` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`from_shard` text NOT NULL,
	`to_shard` text NOT NULL,
	`step` text NOT NULL,
	`started_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`flipped_at` text,
	`verified` text
);
