import type { Migration } from '../db/index.js';

/**
 * The DuckLake 1.0 catalog: the 28 tables of the specification, with the column names, types
 * and keys the official extension creates on PostgreSQL (compared with its pg_dump). `IF NOT
 * EXISTS` everywhere so that a catalog the extension already created in this database is
 * adopted as it is. The first snapshot and the metadata rows are written by `openLake`,
 * because the data path comes from configuration.
 */
export const lakeMigrations: Migration[] = [
  {
    id: 'lake/001_catalog',
    sql: `
CREATE SCHEMA IF NOT EXISTS ducklake;

CREATE TABLE IF NOT EXISTS ducklake.ducklake_metadata (
  key character varying NOT NULL,
  value character varying NOT NULL,
  scope character varying,
  scope_id bigint
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_snapshot (
  snapshot_id bigint NOT NULL PRIMARY KEY,
  snapshot_time timestamp with time zone,
  schema_version bigint,
  next_catalog_id bigint,
  next_file_id bigint
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_snapshot_changes (
  snapshot_id bigint NOT NULL PRIMARY KEY,
  changes_made character varying,
  author character varying,
  commit_message character varying,
  commit_extra_info character varying
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_schema (
  schema_id bigint NOT NULL PRIMARY KEY,
  schema_uuid uuid,
  begin_snapshot bigint,
  end_snapshot bigint,
  schema_name character varying,
  path character varying,
  path_is_relative boolean
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_table (
  table_id bigint,
  table_uuid uuid,
  begin_snapshot bigint,
  end_snapshot bigint,
  schema_id bigint,
  table_name character varying,
  path character varying,
  path_is_relative boolean
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_view (
  view_id bigint,
  view_uuid uuid,
  begin_snapshot bigint,
  end_snapshot bigint,
  schema_id bigint,
  view_name character varying,
  dialect character varying,
  sql character varying,
  column_aliases character varying
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_tag (
  object_id bigint,
  begin_snapshot bigint,
  end_snapshot bigint,
  key character varying,
  value character varying
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_column_tag (
  table_id bigint,
  column_id bigint,
  begin_snapshot bigint,
  end_snapshot bigint,
  key character varying,
  value character varying
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_data_file (
  data_file_id bigint NOT NULL PRIMARY KEY,
  table_id bigint,
  begin_snapshot bigint,
  end_snapshot bigint,
  file_order bigint,
  path character varying,
  path_is_relative boolean,
  file_format character varying,
  record_count bigint,
  file_size_bytes bigint,
  footer_size bigint,
  row_id_start bigint,
  partition_id bigint,
  encryption_key character varying,
  mapping_id bigint,
  partial_max bigint
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_file_column_stats (
  data_file_id bigint,
  table_id bigint,
  column_id bigint,
  column_size_bytes bigint,
  value_count bigint,
  null_count bigint,
  min_value character varying,
  max_value character varying,
  contains_nan boolean,
  extra_stats character varying
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_file_variant_stats (
  data_file_id bigint,
  table_id bigint,
  column_id bigint,
  variant_path character varying,
  shredded_type character varying,
  column_size_bytes bigint,
  value_count bigint,
  null_count bigint,
  min_value character varying,
  max_value character varying,
  contains_nan boolean,
  extra_stats character varying
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_delete_file (
  delete_file_id bigint NOT NULL PRIMARY KEY,
  table_id bigint,
  begin_snapshot bigint,
  end_snapshot bigint,
  data_file_id bigint,
  path character varying,
  path_is_relative boolean,
  format character varying,
  delete_count bigint,
  file_size_bytes bigint,
  footer_size bigint,
  encryption_key character varying,
  partial_max bigint
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_column (
  column_id bigint,
  begin_snapshot bigint,
  end_snapshot bigint,
  table_id bigint,
  column_order bigint,
  column_name character varying,
  column_type character varying,
  initial_default character varying,
  default_value character varying,
  nulls_allowed boolean,
  parent_column bigint,
  default_value_type character varying,
  default_value_dialect character varying
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_table_stats (
  table_id bigint,
  record_count bigint,
  next_row_id bigint,
  file_size_bytes bigint
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_table_column_stats (
  table_id bigint,
  column_id bigint,
  contains_null boolean,
  contains_nan boolean,
  min_value character varying,
  max_value character varying,
  extra_stats character varying
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_partition_info (
  partition_id bigint,
  table_id bigint,
  begin_snapshot bigint,
  end_snapshot bigint
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_partition_column (
  partition_id bigint,
  table_id bigint,
  partition_key_index bigint,
  column_id bigint,
  transform character varying
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_file_partition_value (
  data_file_id bigint,
  table_id bigint,
  partition_key_index bigint,
  partition_value character varying
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_files_scheduled_for_deletion (
  data_file_id bigint,
  path character varying,
  path_is_relative boolean,
  schedule_start timestamp with time zone
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_inlined_data_tables (
  table_id bigint,
  table_name character varying,
  schema_version bigint
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_column_mapping (
  mapping_id bigint,
  table_id bigint,
  type character varying
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_name_mapping (
  mapping_id bigint,
  column_id bigint,
  source_name character varying,
  target_field_id bigint,
  parent_column bigint,
  is_partition boolean
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_schema_versions (
  begin_snapshot bigint,
  schema_version bigint,
  table_id bigint
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_macro (
  schema_id bigint,
  macro_id bigint,
  macro_name character varying,
  begin_snapshot bigint,
  end_snapshot bigint
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_macro_impl (
  macro_id bigint,
  impl_id bigint,
  dialect character varying,
  sql character varying,
  type character varying
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_macro_parameters (
  macro_id bigint,
  impl_id bigint,
  column_id bigint,
  parameter_name character varying,
  parameter_type character varying,
  default_value character varying,
  default_value_type character varying
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_sort_info (
  sort_id bigint,
  table_id bigint,
  begin_snapshot bigint,
  end_snapshot bigint
);

CREATE TABLE IF NOT EXISTS ducklake.ducklake_sort_expression (
  sort_id bigint,
  table_id bigint,
  sort_key_index bigint,
  expression character varying,
  dialect character varying,
  sort_direction character varying,
  null_order character varying
);`,
  },
];
