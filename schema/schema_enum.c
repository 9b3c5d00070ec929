/*
 * Implementation of schema_enum.h: one table per enum, indexed by value,
 * each text as schema/sql/schema.sql's column comment lists it.
 */
#include "schema_enum.h"

#include <string.h>

#include "common/cleanup.h"

#define TEXT(str) { str, sizeof(str) - 1 }
#define SCHEMA_ENUM(tbl, col, texts) { tbl, col, texts, ELEMENTSOF(texts) }

static const struct schema_enum_text core_source_texts[] = {
        [CORE_SOURCE_UNKNOWN] = TEXT("unknown"), [CORE_SOURCE_MEMSNAP] = TEXT("memsnap"),
        [CORE_SOURCE_GCORE] = TEXT("gcore"),     [CORE_SOURCE_KERNEL] = TEXT("kernel"),
};
const struct schema_enum schema_enum_core_source = SCHEMA_ENUM("snapshot", "source", core_source_texts);

static const struct schema_enum_text module_file_status_texts[] = {
        [MODULE_FILE_OK] = TEXT("ok"),
        [MODULE_FILE_MISSING] = TEXT("missing"),
        [MODULE_FILE_MISMATCH] = TEXT("build_id_mismatch"),
        [MODULE_FILE_NO_BUILD_ID] = TEXT("no_build_id"),
        [MODULE_FILE_IN_CORE] = TEXT("in_core"),
        [MODULE_FILE_NOT_READ] = TEXT("not_read"),
};
const struct schema_enum schema_enum_module_file_status =
        SCHEMA_ENUM("modules", "file_status", module_file_status_texts);

static const struct schema_enum_text chunk_state_texts[] = {
        [CHUNK_USED] = TEXT("used"), [CHUNK_FREE] = TEXT("free"), [CHUNK_TOP] = TEXT("top"),
};
const struct schema_enum schema_enum_chunk_state = SCHEMA_ENUM("chunks", "state", chunk_state_texts);

static const struct schema_enum_text chunk_bin_texts[] = {
        [BIN_NONE] = { NULL, 0 },
        [BIN_TCACHE] = TEXT("tcache"), [BIN_FAST] = TEXT("fast"),   [BIN_UNSORTED] = TEXT("unsorted"),
        [BIN_SMALL] = TEXT("small"),   [BIN_LARGE] = TEXT("large"),     [BIN_SLAB] = TEXT("slab"),
        [BIN_CENTRAL] = TEXT("central"), [BIN_TRANSFER] = TEXT("transfer"),
        [BIN_PAGEHEAP] = TEXT("pageheap"), [BIN_RETURNED] = TEXT("returned"),
};
const struct schema_enum schema_enum_chunk_bin = SCHEMA_ENUM("chunks", "bin", chunk_bin_texts);

static const struct schema_enum_text leak_texts[] = {
        [LEAK_NONE] = { NULL, 0 },
        [LEAK_REACHABLE] = TEXT("reachable"), [LEAK_POSSIBLE] = TEXT("possible"),
        [LEAK_INDIRECT] = TEXT("indirect"),   [LEAK_DEFINITE] = TEXT("definite"),
};
const struct schema_enum schema_enum_leak = SCHEMA_ENUM("chunks", "leak", leak_texts);

static const struct schema_enum_text root_kind_texts[] = {
        [ROOT_NONE] = { NULL, 0 },
        [ROOT_REGISTER] = TEXT("register"), [ROOT_STACK] = TEXT("stack"), [ROOT_STATIC] = TEXT("static"),
        [ROOT_TLS] = TEXT("tls"),           [ROOT_ANON] = TEXT("anon"),
};
const struct schema_enum schema_enum_root_kind = SCHEMA_ENUM("refs", "root_kind", root_kind_texts);

static const struct schema_enum_text allocator_kind_texts[] = {
        [ALLOCATOR_GLIBC] = TEXT("glibc"),       [ALLOCATOR_JEMALLOC] = TEXT("jemalloc"),
        [ALLOCATOR_TCMALLOC] = TEXT("tcmalloc"), [ALLOCATOR_MIMALLOC] = TEXT("mimalloc"),
        [ALLOCATOR_GO] = TEXT("go"),
};
const struct schema_enum schema_enum_allocator_kind = SCHEMA_ENUM("allocators", "name", allocator_kind_texts);
const struct schema_enum schema_enum_chunk_allocator = SCHEMA_ENUM("chunks", "allocator", allocator_kind_texts);

static const struct schema_enum_text jemalloc_extent_state_texts[] = {
        [JEMALLOC_EXTENT_ACTIVE] = TEXT("active"),         [JEMALLOC_EXTENT_DIRTY] = TEXT("dirty"),
        [JEMALLOC_EXTENT_MUZZY] = TEXT("muzzy"),           [JEMALLOC_EXTENT_RETAINED] = TEXT("retained"),
        [JEMALLOC_EXTENT_TRANSITION] = TEXT("transition"), [JEMALLOC_EXTENT_MERGING] = TEXT("merging"),
};
const struct schema_enum schema_enum_jemalloc_extent_state =
        SCHEMA_ENUM("jemalloc_extents", "state", jemalloc_extent_state_texts);

static const struct schema_enum_text allocator_state_texts[] = {
        [ALLOCATOR_PRESENT] = TEXT("present"), [ALLOCATOR_IN_USE] = TEXT("in_use"),
        [ALLOCATOR_IDLE] = TEXT("idle"),       [ALLOCATOR_UNINITIALISED] = TEXT("uninitialised"),
        [ALLOCATOR_UNKNOWN] = TEXT("unknown"),
};
const struct schema_enum schema_enum_allocator_state = SCHEMA_ENUM("allocators", "state", allocator_state_texts);

static const struct schema_enum_text tcmalloc_location_texts[] = {
        [TCMALLOC_IN_USE] = TEXT("in_use"), [TCMALLOC_ON_NORMAL_FREELIST] = TEXT("normal"),
        [TCMALLOC_ON_RETURNED_FREELIST] = TEXT("returned"),
};
const struct schema_enum schema_enum_tcmalloc_location = SCHEMA_ENUM("tcmalloc_spans", "location", tcmalloc_location_texts);

static const struct schema_enum_text tcmalloc_found_by_texts[] = {
        [TCMALLOC_FOUND_SYMBOLS] = TEXT("symbols"), [TCMALLOC_FOUND_SHAPE] = TEXT("shape"),
        [TCMALLOC_FOUND_BOTH] = TEXT("both"),
};
const struct schema_enum schema_enum_tcmalloc_found_by = SCHEMA_ENUM("tcmalloc_heap", "found_by", tcmalloc_found_by_texts);

const struct schema_enum *const schema_enums[] = {
        &schema_enum_core_source, &schema_enum_module_file_status, &schema_enum_chunk_state,
        &schema_enum_chunk_bin,   &schema_enum_leak,               &schema_enum_root_kind,
        &schema_enum_allocator_kind, &schema_enum_allocator_state, &schema_enum_chunk_allocator,
        &schema_enum_jemalloc_extent_state,
        &schema_enum_tcmalloc_location, &schema_enum_tcmalloc_found_by,
};
const size_t schema_enums_count = ELEMENTSOF(schema_enums);

const char *schema_enum_text(const struct schema_enum *e, unsigned value)
{
        return value < e->count ? e->texts[value].s : NULL;
}

int schema_enum_parse(const struct schema_enum *e, const char *s)
{
        for (unsigned v = 0; v < e->count; v++) {
                const char *t = e->texts[v].s;
                if (s ? t && strcmp(s, t) == 0 : !t)
                        return (int)v;
        }
        return -1;
}
