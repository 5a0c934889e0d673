CREATE TABLE `products` (
	`id` varchar(64) NOT NULL,
	`name` varchar(255) NOT NULL,
	`description` text NOT NULL,
	`picture` varchar(512) NOT NULL DEFAULT '',
	`price_units` bigint NOT NULL,
	`price_nanos` int NOT NULL DEFAULT 0,
	`price_currency` char(3) NOT NULL,
	`categories` json NOT NULL,
	`stock` int unsigned NOT NULL DEFAULT 0,
	`version` int unsigned NOT NULL DEFAULT 0,
	`per_user_limit` int unsigned NOT NULL DEFAULT 0,
	`flash_sale` boolean NOT NULL DEFAULT false,
	`sale_starts_at` datetime(3),
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `products_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `stock_applied` (
	`stream` varchar(128) NOT NULL,
	`stream_id` varchar(32) NOT NULL,
	`applied_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `stock_applied_stream_stream_id_pk` PRIMARY KEY(`stream`,`stream_id`)
);
--> statement-breakpoint
CREATE TABLE `stock_log` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`product_id` varchar(64) NOT NULL,
	`order_id` varchar(64),
	`delta` int NOT NULL,
	`stock_before` int unsigned NOT NULL,
	`stock_after` int unsigned NOT NULL,
	`reason` varchar(32) NOT NULL,
	`stream` varchar(128),
	`stream_id` varchar(32),
	`created_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `stock_log_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `payment_charges` (
	`transaction_id` char(36) NOT NULL,
	`idempotency_key` varchar(128),
	`amount_currency` char(3) NOT NULL,
	`amount_units` bigint NOT NULL,
	`amount_nanos` int NOT NULL,
	`card_brand` varchar(32) NOT NULL,
	`card_last4` char(4) NOT NULL,
	`created_at` datetime(3) NOT NULL,
	`refunded_at` datetime(3),
	CONSTRAINT `payment_charges_transaction_id` PRIMARY KEY(`transaction_id`),
	CONSTRAINT `payment_charges_idempotency_key_uq` UNIQUE(`idempotency_key`)
);
--> statement-breakpoint
CREATE INDEX `stock_log_product_idx` ON `stock_log` (`product_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `stock_log_order_idx` ON `stock_log` (`order_id`);--> statement-breakpoint
CREATE INDEX `stock_log_stream_idx` ON `stock_log` (`stream`,`stream_id`);