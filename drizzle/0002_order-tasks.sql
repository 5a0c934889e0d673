CREATE TABLE `order_tasks` (
	`order_id` varchar(64) NOT NULL,
	`kind` varchar(8) NOT NULL,
	`attempts` int unsigned NOT NULL DEFAULT 0,
	`due_at` datetime(3) NOT NULL,
	`lease_token` varchar(32),
	`tracking_id` varchar(64),
	`last_error` varchar(1024),
	`outcome` varchar(16),
	`done_at` datetime(3),
	`created_at` datetime(3) NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `order_tasks_order_id_kind_pk` PRIMARY KEY(`order_id`,`kind`)
);
--> statement-breakpoint
CREATE INDEX `order_tasks_due_idx` ON `order_tasks` (`done_at`,`due_at`);