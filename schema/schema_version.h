/*
 * The database's schema version, stored as PRAGMA user_version and in the
 * meta table.  schema/sql/schema.sql sets the same number (unit-schema
 * checks that they agree); readers (query, report, diff) refuse other
 * versions with a message naming both.  Bump both, and docs/database.md,
 * on any change a reader could notice.
 */
#ifndef MEMSNAP_SCHEMA_VERSION_H
#define MEMSNAP_SCHEMA_VERSION_H

#define SCHEMA_VERSION 4

#endif
