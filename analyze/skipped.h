/*
 * What `memsnap capture` left out of its core, from the MEMSNAP skipped
 * note (docs/core-format.md), and the warnings that say so.  Some reasons
 * lose nothing: the bytes are in a file on disk (on-disk, shared-file),
 * the kernel's own pages (vvar, vsyscall), or no page at all can be read
 * (guard, beyond-eof).  The others leave process memory out that the core
 * cannot give back, and which reads as zeros where it lies inside p_filesz
 * (swapped, unreadable): each such range brings one warning naming the
 * range and the reason, and a later warning about an address inside one
 * (a heap walk stopped by those zeros) is told why.
 */
#ifndef MEMSNAP_SKIPPED_H
#define MEMSNAP_SKIPPED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "warnings.h"

struct skipped_range {
        uint64_t start, end;
        char *reason;       /* the note's REASON word: "swapped", "unreadable", ... */
        char *detail;       /* unescaped DETAIL, may be empty */
        uint64_t reach;     /* the highest end of this range and every one before it (for overlaps in a crafted note) */
};

struct skipped_list {
        struct skipped_range *v;   /* only ranges that lose memory, sorted by start */
        size_t n, cap;
};

/* Whether a skip reason leaves out process memory found nowhere else. */
bool skipped_reason_loses(const char *reason, size_t len);

/*
 * Parses the note's text: keeps the ranges whose reason loses memory, in
 * address order, and adds a warning (stage "skipped") for each, and one for
 * each malformed line.  Returns 0 or -ENOMEM.
 */
int skipped_parse(const char *text, size_t len, struct skipped_list *out, struct warnings *w);

/* The range holding addr, or NULL. */
const struct skipped_range *skipped_find(const struct skipped_list *l, uint64_t addr);

/*
 * The address right after the chunk whose header is at address (the next
 * chunk's header), or 0 when no chunk starts there.
 */
typedef uint64_t (*skipped_next_fn)(void *ud, uint64_t address);

/* What skipped_explain_warnings changed: each warning's message before, to put back. */
struct skipped_explained {
        struct skipped_original { size_t warning; char *message; } *v;
        size_t n, cap;
};

/*
 * Appends to every warning of another stage whose address lies in a range
 * what capture left out there and why; and to a warning about a chunk
 * whose next chunk's header lies in one (next may be NULL), the same: that
 * header, read as zeros, is what made the chunk look wrong.  undo (may
 * be NULL) keeps the messages as they were.
 */
void skipped_explain_warnings(const struct skipped_list *l, struct warnings *w, skipped_next_fn next, void *ud,
                              struct skipped_explained *undo);

/* Puts back the messages skipped_explain_warnings changed, and empties undo. */
void skipped_explained_undo(struct skipped_explained *undo, struct warnings *w);

void skipped_list_free(struct skipped_list *l);

#endif
