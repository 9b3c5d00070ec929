/*
 * The database's words: each enum whose values the database stores as
 * text, and the one table that spells them.  analyze writes with these
 * tables (schema_enum_text) and query reads with them (schema_enum_parse),
 * so a value has one spelling in the C code; the SQL files under
 * schema/sql spell the same texts in their column comments and views, and
 * unit-schema checks the two against each other through SQLite.
 *
 * To add a value: a member of its enum here, its text in schema_enum.c,
 * the column comment in schema/sql/schema.sql, and docs/database.md.
 * A new text is a change a reader can notice (SCHEMA_VERSION).
 *
 * segments.kind is the one stored enum not here: capture classifies
 * mappings too (--segments), so enum segment_kind and its texts live in
 * common/segment_kind.h, below both sides; unit-schema checks them all the
 * same.
 */
#ifndef MEMSNAP_SCHEMA_ENUM_H
#define MEMSNAP_SCHEMA_ENUM_H

#include <stddef.h>

/* snapshot.source: which program wrote the core. */
enum core_source {
        CORE_SOURCE_UNKNOWN,
        CORE_SOURCE_MEMSNAP,
        CORE_SOURCE_GCORE,
        CORE_SOURCE_KERNEL,
};

/* modules.file_status: what the file on disk says about the module the core names. */
enum module_file_status {
        MODULE_FILE_OK,             /* found on disk with a matching build-id */
        MODULE_FILE_MISSING,
        MODULE_FILE_MISMATCH,       /* a file is there, but its build-id differs */
        MODULE_FILE_NO_BUILD_ID,    /* the core does not say, so nothing to compare */
        MODULE_FILE_IN_CORE,        /* no file at all: the vdso */
        MODULE_FILE_NOT_READ,       /* --core-only: the file was not looked at */
};

/* chunks.state, chunks.bin (NULL: BIN_NONE, a chunk in no free list), chunks.leak (NULL: LEAK_NONE). */
enum chunk_state { CHUNK_USED, CHUNK_FREE, CHUNK_TOP };
/*
 * BIN_SLAB: jemalloc, a region its slab's bitmap marks free (BIN_TCACHE: one a thread cache holds).
 * tcmalloc: BIN_CENTRAL an object on its span's list (the central cache), BIN_TRANSFER one in a
 * transfer cache slot, BIN_PAGEHEAP a free span, BIN_RETURNED a free span given back to the system.
 */
enum chunk_bin { BIN_NONE, BIN_TCACHE, BIN_FAST, BIN_UNSORTED, BIN_SMALL, BIN_LARGE, BIN_SLAB,
                 BIN_CENTRAL, BIN_TRANSFER, BIN_PAGEHEAP, BIN_RETURNED };
enum leak_kind { LEAK_NONE, LEAK_REACHABLE, LEAK_POSSIBLE, LEAK_INDIRECT, LEAK_DEFINITE };

/* refs.root_kind: where a root pointer is; NULL (ROOT_NONE) for a pointer between chunks. */
enum root_kind { ROOT_NONE, ROOT_REGISTER, ROOT_STACK, ROOT_STATIC, ROOT_TLS, ROOT_ANON };

/* allocators.name and allocators.state: the allocators a process carries (analyze/allocators.h). */
/* jemalloc_extents.state: jemalloc 5.3 extent_state_t (include/jemalloc/internal/extent_types.h), same values */
enum jemalloc_extent_state {
        JEMALLOC_EXTENT_ACTIVE, JEMALLOC_EXTENT_DIRTY, JEMALLOC_EXTENT_MUZZY, JEMALLOC_EXTENT_RETAINED,
        JEMALLOC_EXTENT_TRANSITION, JEMALLOC_EXTENT_MERGING,
};

enum allocator_kind { ALLOCATOR_GLIBC, ALLOCATOR_JEMALLOC, ALLOCATOR_TCMALLOC, ALLOCATOR_MIMALLOC, ALLOCATOR_GO };

enum allocator_state {
        ALLOCATOR_PRESENT,          /* its code is loaded; how much memory it holds is not read */
        ALLOCATOR_IN_USE,           /* glibc: an arena holds memory, or mmapped chunks exist */
        ALLOCATOR_IDLE,             /* glibc: malloc was initialised, but no arena ever got memory */
        ALLOCATOR_UNINITIALISED,    /* glibc: main_arena is as the library was loaded: malloc never ran */
        ALLOCATOR_UNKNOWN,          /* glibc: main_arena was not found */
};

/* tcmalloc_spans.location: Span::location (gperftools span.h); tcmalloc_heap.found_by. */
enum tcmalloc_location { TCMALLOC_IN_USE, TCMALLOC_ON_NORMAL_FREELIST, TCMALLOC_ON_RETURNED_FREELIST };
enum tcmalloc_found_by {
        TCMALLOC_FOUND_SYMBOLS,     /* Static's members named by the library's symbol table */
        TCMALLOC_FOUND_SHAPE,       /* found by what they look like */
        TCMALLOC_FOUND_BOTH,        /* some one way, some the other */
};

/* A value's text and its length in bytes (writers hand SQLite both: no strlen per row). */
struct schema_enum_text {
        const char *s;              /* NULL: the database stores NULL for this value */
        int len;
};

/* One enum as the database stores it. */
struct schema_enum {
        const char *table, *column; /* where: "chunks", "state" */
        const struct schema_enum_text *texts; /* texts[value] */
        unsigned count;             /* values: texts[0 .. count - 1] */
};

extern const struct schema_enum schema_enum_core_source;        /* snapshot.source */
extern const struct schema_enum schema_enum_module_file_status; /* modules.file_status */
extern const struct schema_enum schema_enum_chunk_state;        /* chunks.state */
extern const struct schema_enum schema_enum_chunk_bin;          /* chunks.bin */
extern const struct schema_enum schema_enum_leak;               /* chunks.leak */
extern const struct schema_enum schema_enum_root_kind;          /* refs.root_kind */
extern const struct schema_enum schema_enum_allocator_kind;     /* allocators.name */
extern const struct schema_enum schema_enum_chunk_allocator;    /* chunks.allocator: the same texts */
extern const struct schema_enum schema_enum_jemalloc_extent_state; /* jemalloc_extents.state */
extern const struct schema_enum schema_enum_allocator_state;    /* allocators.state */
extern const struct schema_enum schema_enum_tcmalloc_location;  /* tcmalloc_spans.location */
extern const struct schema_enum schema_enum_tcmalloc_found_by;  /* tcmalloc_heap.found_by */

/* Every table above, for the tests that hold them against the SQL. */
extern const struct schema_enum *const schema_enums[];
extern const size_t schema_enums_count;

/* The text of value, or NULL: a value stored as NULL, or none of e's. */
const char *schema_enum_text(const struct schema_enum *e, unsigned value);

/*
 * The value whose text is s; for s NULL, the value stored as NULL.  -1 when
 * e has no such value (a text another program wrote, or NULL where e has no
 * NULL value).
 */
int schema_enum_parse(const struct schema_enum *e, const char *s);

#endif
