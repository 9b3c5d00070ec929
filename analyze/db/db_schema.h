/*
 * The database's schema version, stored as PRAGMA user_version and in the
 * meta table.  analyze/db/sql/schema.sql sets the same number; readers (query,
 * report, diff) refuse other versions with a message naming both.
 */
#ifndef MEMSNAP_DB_SCHEMA_H
#define MEMSNAP_DB_SCHEMA_H

#define DB_SCHEMA_VERSION 2

#endif
