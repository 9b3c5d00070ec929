/*
 * What a mapping is, in the words of docs/database.md's `segments.kind`, and the
 * classifier that decides it the way a person reading /proc/PID/maps would.
 *
 * Capture uses it for --segments; analyze for the `segments` table, with more
 * facts (modules from libdwfl) passed in through struct segment_facts.  The
 * classifier is pure: arrays in, kinds out.
 *
 * Which mappings are malloc's heap is decided by one rule,
 * segment_kind_malloc, from what the maps say and what is known of the
 * mapping's malloc memory: analyze knows it from the heap walk
 * (analyze/segments.c applies the rule to the walk's ranges), capture can
 * only guess it from a mapping's first bytes before any walk
 * (capture/heap_guess.h), and passes its guess in struct segment_facts.
 */
#ifndef MEMSNAP_SEGMENT_KIND_H
#define MEMSNAP_SEGMENT_KIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum segment_kind {
        SEG_TEXT,         /* executable code of a module */
        SEG_RODATA,       /* read-only data of a module (headers, .rodata, RELRO) */
        SEG_DATA,         /* writable file-backed data of a module */
        SEG_BSS,          /* anonymous rw mapping right after a module's data */
        SEG_HEAP,         /* [heap], glibc arena heaps, mmapped malloc chunks */
        SEG_STACK,        /* the main thread's stack */
        SEG_THREAD_STACK, /* a mapping that holds another thread's stack pointer */
        SEG_ANON,         /* other anonymous private memory */
        SEG_FILE,         /* a file mapping that is not part of a loaded module */
        SEG_SHM,          /* shared memory: /dev/shm, SysV, memfd, shared anonymous (not a regular file) */
        SEG_VDSO,
        SEG_VVAR,         /* [vvar], [vvar_vclock]: never readable through ptrace */
        SEG_VSYSCALL,
        SEG_GUARD,        /* ---p: guard pages, reserved address space */
        SEG_KIND_COUNT
};

const char *segment_kind_name(enum segment_kind k);

/*
 * Parses "heap,stack,anon" into a bit mask (1u << kind).  On an unknown
 * name returns -EINVAL and points *bad at it.
 */
int segment_kind_parse_list(const char *list, uint32_t *mask, const char **bad, size_t *bad_len);

/* What is known of a mapping's glibc malloc memory. */
enum segment_malloc {
        SEGMENT_MALLOC_NONE,
        SEGMENT_MALLOC_ARENA,   /* an arena's memory: the brk heap, or a heap_info heap with its reserve */
        SEGMENT_MALLOC_MMAPPED, /* an mmapped chunk starts in it */
};

/*
 * The kind of a mapping that the maps alone call kind, holding malloc
 * memory m: an arena's memory is heap wherever it lies, except a stack (a
 * thread's stack pointer there says what the mapping is used for); an
 * mmapped chunk makes heap of anonymous memory only, as a module's bss, a
 * stack or shared memory is what it is whatever a crafted header in it says.
 */
enum segment_kind segment_kind_malloc(enum segment_kind kind, enum segment_malloc m);

/* What the classifier is told about one mapping. */
struct segment_facts {
        uint64_t start, end;
        const char *perms;     /* "rw-p" */
        const char *path;      /* NULL for anonymous; "[heap]" and friends allowed; no " (deleted)" */
        bool deleted;          /* the path ended in " (deleted)" */
        int module;            /* index of the loaded ELF module it maps, or -1 */
        int thread;            /* index of a thread whose SP lies inside, or -1 */
        bool main_thread;      /* that thread is the main thread */
        enum segment_malloc malloc_use; /* what is known (or guessed) of its glibc malloc memory */
};

/*
 * Whether a mapping of this path is shared, as far as the path alone can
 * tell (a core without smaps has only PT_LOAD's R/W/X flags and NT_FILE's
 * paths, never the shared bit):
 *   ALWAYS  the kernel gives the path only to shared mappings:
 *           "/dev/zero (deleted)", the shmem file of shared anonymous memory
 *           (mm/shmem.c shmem_zero_setup; a private /dev/zero mapping is
 *           anonymous memory), and "/SYSV..." (ipc/shm.c: shmat maps
 *           MAP_SHARED always);
 *   LIKELY  a shared-memory file that a process may yet map MAP_PRIVATE:
 *           a /dev/shm object, a memfd; taken as shared;
 *   UNKNOWN every other path, anonymous memory, "/anon_hugepage (deleted)"
 *           (MAP_HUGETLB anonymous memory, private or shared alike).
 */
enum path_sharing { PATH_SHARING_UNKNOWN, PATH_SHARING_LIKELY, PATH_SHARING_ALWAYS };

enum path_sharing segment_kind_path_sharing(const char *path, bool deleted);

/*
 * Decides kinds[i] for every facts[i]; facts must be sorted by address.
 * Mappings of the same module must carry the same module index.
 */
void segment_kind_classify(const struct segment_facts *facts, size_t n, enum segment_kind *kinds);

/*
 * For callers without a module list: sets facts[i].module to a shared index
 * for every file path that has an executable mapping, else -1.
 */
void segment_kind_guess_modules(struct segment_facts *facts, size_t n);

#endif
