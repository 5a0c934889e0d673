ALTER TABLE `stock_log` MODIFY COLUMN `order_id` varchar(128);--> statement-breakpoint
ALTER TABLE `stock_log` MODIFY COLUMN `reason` varchar(64) NOT NULL;