/*
 * Which memory allocators a process carries, and which one its malloc()
 * is: the `allocators` table, and the one note that says what memsnap
 * read and what it did not.
 *
 * An allocator is recognised by symbols only it defines (jemalloc's
 * mallctl, the Go runtime's runtime.mallocgc, ...), looked up in each
 * module's symbol table, and for Go also by the sections its linker writes.
 * Which one serves malloc() is read from the C library's own GOT entry for
 * malloc, which the dynamic linker fills at load time (a GLOB_DAT
 * relocation): it points into whichever module won the symbol lookup.
 *
 * To add an allocator: a value in enum allocator_kind and its name in
 * schema/schema_enum.c (the allocators.name column), and a row in
 * allocators.c's table (what its memory is called, its marker symbols,
 * its walker).  A walker (heap.h) is run by the heap stage (heap.c) for
 * each row of its kind and sets the row's `walked`.
 */
#ifndef MEMSNAP_ALLOCATORS_H
#define MEMSNAP_ALLOCATORS_H

#include "analysis.h"
#include "heap.h"

/*
 * Fills out->allocators from the modules.  libc_found says the heap stage
 * found a C library, libc_module_id is its module (NO_ID when known from
 * the mappings only), and libc_static says it is the executable itself.
 * glibc's row comes first when glibc is there; *glibc is set to it, or to
 * NULL when the process has no glibc malloc (a static executable of
 * another runtime).  -ENOMEM is the only failure.
 */
int allocators_detect(const struct analysis *a, struct heap_result *out, bool libc_found, int libc_module_id,
                      bool libc_static, struct allocator **glibc);

/* The walker of an allocator kind (allocators.c's table), or NULL when memsnap reads none. */
heap_walker_fn *allocator_walker(enum allocator_kind kind);
heap_walker_reset_fn *allocator_walker_reset(enum allocator_kind kind);

/*
 * After the heap stage: one warning (stage "heap") that names the
 * allocators whose blocks are not in chunks, or says that glibc malloc was
 * never used; nothing when glibc's heap was walked and is all there is.
 */
void allocators_note(const struct analysis *a, const struct heap_result *heap, struct warnings *w);

#endif
