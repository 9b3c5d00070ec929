/*
 * Type hints for heap blocks, where they are cheap and sure:
 *
 *   a C++ class   the block's first word is a vtable pointer: it points 16
 *                 bytes into a `_ZTV...` symbol of a loaded module (the
 *                 Itanium ABI puts offset-to-top and the RTTI pointer before
 *                 the address objects hold); the class name is demangled
 *                 (common/demangle.h), or the symbol is kept as it is when
 *                 the demangler refuses it
 *   'string'      the block starts with NUL-terminated text: at least 4
 *                 characters of valid UTF-8, no control characters but
 *                 whitespace, mostly printable ASCII, and a first word that
 *                 is not an address the core maps (list nodes whose next
 *                 pointer happens to spell "`BUUUU" are not text)
 *
 * Names are interned into analysis.types; a block's hint is its type_id.
 */
#ifndef MEMSNAP_TYPE_HINT_H
#define MEMSNAP_TYPE_HINT_H

#include "analyze/analysis.h"

#define STRING_MIN_CHARS 4
#define TYPE_HINT_BYTES_MAX 4096 /* type_hint reads at most this many of a block's first bytes */

struct module_range {
        uint64_t start, end;
        Dwfl_Module *mod;
};

struct vtable_slot {
        uint64_t vptr;      /* 0 = empty */
        int32_t type_id;    /* NO_ID: that address is no vtable */
};

struct type_hints {
        const struct analysis *a;    /* the modules and the core, read only */
        struct reach_result *out;    /* the type names found: out->types */
        struct module_range *mods;   /* sorted by start */
        size_t nmods;
        struct vtable_slot *cache;   /* open addressing, power-of-two size */
        size_t cache_size, cache_used;
        int32_t string_id;           /* NO_ID until the first string */
        size_t types_cap;            /* allocated length of out->types */
        int32_t *names;              /* open addressing by name hash: type ids + 1, 0 = empty */
        size_t names_size;           /* power of two, at least twice the types */
};

int type_hints_init(struct type_hints *th, const struct analysis *a, struct reach_result *out);
void type_hints_free(struct type_hints *th);

/* The hint for a block whose len user bytes are at bytes, or NO_ID; -ENOMEM on failure. */
int32_t type_hint(struct type_hints *th, const uint8_t *bytes, uint64_t len);

/* The id of name in analysis.types, added when new; -ENOMEM on failure. */
int32_t type_hint_intern(struct type_hints *th, const char *name);

/* Pure test of the text rule above, minus the mapped-address check. */
bool type_hint_is_text(const uint8_t *bytes, uint64_t len);

#endif
