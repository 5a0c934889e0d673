CREATE TABLE `cdc_positions` (
	`reader` varchar(96) NOT NULL,
	`binlog_file` varchar(255) NOT NULL,
	`binlog_position` bigint unsigned NOT NULL,
	`gtid` varchar(255) NOT NULL DEFAULT '',
	`updated_at` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `cdc_positions_reader` PRIMARY KEY(`reader`)
);
