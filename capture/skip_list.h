/*
 * What a capture did not dump, and why: the content of the MEMSNAP
 * "skipped" note.  Every byte of every mapping is either in the core, a
 * hole that honestly reads as zeros (anonymous memory never touched, file
 * holes), or listed here with a reason from the fixed vocabulary below, so
 * analyze can tell "zero" from "not looked at".
 */
#ifndef MEMSNAP_SKIP_LIST_H
#define MEMSNAP_SKIP_LIST_H

#include <stddef.h>
#include <stdint.h>

/* Stable names: docs/core-format.md lists them, analyze may match on them. */
enum skip_reason {
        SKIP_VVAR,          /* [vvar], [vvar_vclock]: kernel pages ptrace cannot read */
        SKIP_VSYSCALL,      /* [vsyscall]: emulated, not readable */
        SKIP_GUARD,         /* ---p: no access at all, guard pages and reservations; MADV_GUARD_INSTALL regions */
        SKIP_IO,            /* VM_IO / VM_PFNMAP device memory: reading may have side effects */
        SKIP_DONTDUMP,      /* madvise(MADV_DONTDUMP): the program asked to be left out */
        SKIP_ON_DISK,       /* unchanged read-only file mapping: its bytes are in the file */
        SKIP_SHARED_FILE,   /* MAP_SHARED mapping of a file on disk: its bytes are in the file */
        SKIP_KIND,          /* its kind is not in --segments */
        SKIP_RANGE,         /* outside --range */
        SKIP_PATH,          /* does not match --path */
        SKIP_MAX_SIZE,      /* larger than --max-size */
        SKIP_SWAPPED,       /* pages in a swap area: reading them would swap them in */
        SKIP_UNREADABLE,    /* neither process_vm_readv nor /proc/PID/mem read it, or a read could hang */
        SKIP_BEYOND_EOF,    /* file-backed pages past the end of the file (SIGBUS in the target) */
        SKIP_FILE_ERROR,    /* the mapped file could not be opened or read */
        SKIP_REASON_COUNT
};

const char *skip_reason_name(enum skip_reason r);

struct skip_entry {
        uint64_t start, end;
        enum skip_reason reason;
        char *detail;       /* for people; may be empty */
};

struct skip_list {
        struct skip_entry *v;
        size_t n, cap;
};

/*
 * Adds [start, end).  An entry that continues the previous one with the
 * same reason and detail extends it.  Returns 0 or -ENOMEM.
 */
__attribute__((format(printf, 5, 6))) int skip_list_add(struct skip_list *l, uint64_t start, uint64_t end,
                                                        enum skip_reason reason, const char *fmt, ...);

/* Bytes listed for one reason. */
uint64_t skip_list_bytes(const struct skip_list *l, enum skip_reason reason);

/*
 * The note text: "START-END<TAB>REASON<TAB>DETAIL\n" per entry, in address
 * order (the list is sorted in place, and entries that continue each other
 * with the same reason and detail are joined, wherever they were added),
 * hex addresses without 0x; DETAIL escaped as common/text_escape.h says.
 */
int skip_list_format(struct skip_list *l, char **text, size_t *len);

void skip_list_free(struct skip_list *l);

#endif
