CREATE TABLE `dead_letters` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`topic` varchar(255) NOT NULL,
	`consumer_group` varchar(255) NOT NULL,
	`message_id` varchar(128) NOT NULL,
	`msg_key` varchar(255) NOT NULL DEFAULT '',
	`body` mediumblob NOT NULL,
	`properties` json NOT NULL,
	`reason` varchar(1024) NOT NULL DEFAULT '',
	`attempts` int unsigned NOT NULL DEFAULT 0,
	`created_at` datetime(3) NOT NULL,
	`replayed_at` datetime(3),
	`replay_message_id` varchar(128),
	CONSTRAINT `dead_letters_id` PRIMARY KEY(`id`),
	CONSTRAINT `dead_letters_group_message_uq` UNIQUE(`consumer_group`,`message_id`)
);
--> statement-breakpoint
CREATE TABLE `order_events` (
	`order_id` varchar(64) NOT NULL,
	`seq` int unsigned NOT NULL,
	`from_status` varchar(24),
	`to_status` varchar(24) NOT NULL,
	`reason` varchar(512) NOT NULL DEFAULT '',
	`at` datetime(3) NOT NULL,
	CONSTRAINT `order_events_order_id_seq_pk` PRIMARY KEY(`order_id`,`seq`)
);
--> statement-breakpoint
CREATE TABLE `order_items` (
	`order_id` varchar(64) NOT NULL,
	`line` int unsigned NOT NULL,
	`product_id` varchar(64) NOT NULL,
	`quantity` int unsigned NOT NULL,
	`unit_cost_units` bigint NOT NULL,
	`unit_cost_nanos` int NOT NULL,
	`unit_cost_currency` char(3) NOT NULL,
	CONSTRAINT `order_items_order_id_line_pk` PRIMARY KEY(`order_id`,`line`)
);
--> statement-breakpoint
CREATE TABLE `order_status_pending` (
	`order_id` varchar(64) NOT NULL,
	`to_status` varchar(24) NOT NULL,
	`payload` mediumblob NOT NULL,
	`received_at` datetime(3) NOT NULL,
	CONSTRAINT `order_status_pending_order_id_to_status_pk` PRIMARY KEY(`order_id`,`to_status`)
);
--> statement-breakpoint
CREATE TABLE `orders` (
	`order_id` varchar(64) NOT NULL,
	`user_id` varchar(64) NOT NULL,
	`status` varchar(24) NOT NULL,
	`previous_status` varchar(24),
	`source` varchar(16) NOT NULL,
	`user_currency` char(3) NOT NULL,
	`shipping_cost_units` bigint NOT NULL,
	`shipping_cost_nanos` int NOT NULL,
	`shipping_cost_currency` char(3) NOT NULL,
	`items_total_units` bigint NOT NULL,
	`items_total_nanos` int NOT NULL,
	`items_total_currency` char(3) NOT NULL,
	`total_units` bigint NOT NULL,
	`total_nanos` int NOT NULL,
	`total_currency` char(3) NOT NULL,
	`street_address` varchar(255) NOT NULL,
	`city` varchar(128) NOT NULL,
	`state` varchar(128) NOT NULL,
	`country` varchar(128) NOT NULL,
	`zip_code` int NOT NULL,
	`email` varchar(320) NOT NULL,
	`idempotency_key` varchar(128),
	`tracking_id` varchar(64),
	`transaction_id` varchar(64),
	`failure_reason` varchar(512),
	`expires_at` datetime(3) NOT NULL,
	`paying_until` datetime(3),
	`paid_at` datetime(3),
	`stock_released_at` datetime(3),
	`created_at` datetime(3) NOT NULL,
	`reserved_at` datetime(3),
	`persisted_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`updated_at` datetime(3) NOT NULL,
	`version` int unsigned NOT NULL DEFAULT 0,
	CONSTRAINT `orders_order_id` PRIMARY KEY(`order_id`)
);
--> statement-breakpoint
CREATE INDEX `dead_letters_topic_idx` ON `dead_letters` (`topic`,`id`);--> statement-breakpoint
CREATE INDEX `dead_letters_replayed_idx` ON `dead_letters` (`replayed_at`,`id`);--> statement-breakpoint
CREATE INDEX `order_items_product_idx` ON `order_items` (`product_id`);--> statement-breakpoint
CREATE INDEX `orders_status_expires_idx` ON `orders` (`status`,`expires_at`);--> statement-breakpoint
CREATE INDEX `orders_status_updated_idx` ON `orders` (`status`,`updated_at`);--> statement-breakpoint
CREATE INDEX `orders_status_released_idx` ON `orders` (`status`,`stock_released_at`);--> statement-breakpoint
CREATE INDEX `orders_user_created_idx` ON `orders` (`user_id`,`created_at`,`order_id`);