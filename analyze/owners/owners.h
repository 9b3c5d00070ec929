/*
 * The pieces of the owners stage (owners.c), each in its own file:
 *
 *   dominator.c        dominators of a CSR graph (semi-NCA), subtree sums
 *   owners_symbols.c   a module's object symbols, sorted, for slot lookups
 *   owners_holders.c   root refs grouped into holders, and their names
 */
#ifndef MEMSNAP_OWNERS_H
#define MEMSNAP_OWNERS_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/analysis.h"

/* ---- owners_symbols.c --------------------------------------------------- */

struct owners_symbol {
        uint64_t start, end; /* [start, end) in the process */
        const char *name;    /* owned by libdwfl */
};

/* The data objects (STT_OBJECT, STT_TLS excluded) of each module with a size, sorted by start; built on demand. */
struct owners_symbols {
        struct owners_symbol **v; /* per module: NULL until looked at */
        size_t *n;
        bool *loaded;
        size_t nmodules;
};

int owners_symbols_init(struct owners_symbols *s, size_t nmodules);
void owners_symbols_free(struct owners_symbols *s);

/*
 * The object symbol of module m (index into a->modules.v) whose bytes hold
 * addr, or NULL.  The first lookup in a module reads its symbol table
 * through libdwfl (dwfl_module_getsym_info) once.  Returns NULL on want of
 * memory too, with *error set to -ENOMEM.
 */
const struct owners_symbol *owners_symbols_find(struct owners_symbols *s, const struct analysis *a, int m,
                                                uint64_t addr, int *error);

/* ---- owners_holders.c --------------------------------------------------- */

/*
 * Groups the root refs of a->reach into holders (struct root_holder, one
 * per static symbol or module segment, stack frame of a thread, register
 * of a thread, thread's TLS in a module, anonymous mapping) and names
 * them: out->holders and out->root_refs.  Warns of a register root no register name fits.
 * Returns 0 or -ENOMEM.
 */
int owners_holders_build(const struct analysis *a, struct owners_result *out, struct warnings *w);

#endif
