/*
 * An ELF core file opened for reading: its program headers, its notes, and
 * the target's memory as the core holds it.
 *
 * The file is mapped, never copied (cores are often larger than memory);
 * every count and offset read from it is checked against the file's size and
 * against bounds below, because a core may be truncated or crafted.  What
 * looks wrong becomes a warning, and the rest of the core is still usable;
 * only a file that is not a 64-bit x86-64 ELF core at all fails core_open.
 */
#ifndef MEMSNAP_CORE_H
#define MEMSNAP_CORE_H

#include <libelf.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/procfs.h>
#include <sys/types.h>
#include <sys/user.h>

#include "analyze/warnings.h"
#include "schema/schema_enum.h"

#define CORE_SEGMENTS_MAX (1u << 22) /* PT_LOADs; the kernel's own limit is far lower */
#define CORE_NOTES_MAX (1u << 22)
#define CORE_THREADS_MAX (1u << 16)
#define CORE_FILES_MAX (1u << 22)    /* NT_FILE entries */
#define CORE_AUXV_MAX 1024           /* auxv pairs; the kernel writes about 25 (AT_VECTOR_SIZE_BASE) */
#define CORE_RUNS_MAX (1u << 24)     /* data runs learnt from the file; past them, bytes are taken as data */

/*
 * One PT_LOAD: a mapping of the process, with or without its bytes.
 *
 * A core is often a sparse file: memsnap and the kernel leave pages the
 * process never touched as holes, which read as zeros.  core_open asks the
 * file system where its data lies (lseek SEEK_DATA / SEEK_HOLE) and keeps,
 * per segment, the runs of its bytes the file holds as data; the rest of
 * [vaddr, vaddr + filesz) is holes.  Reading a hole through the mapped file
 * would fault in a page of zeros, so the scans step over them instead.
 */
struct core_segment {
        uint64_t vaddr, memsz;
        uint64_t offset;  /* file offset of the bytes */
        uint64_t filesz;  /* bytes present, clamped to the end of the file */
        uint64_t known;   /* bytes from vaddr whose values are known: filesz, or memsz once
                             core_mark_zero_tail says the bytes past filesz are zero */
        uint32_t first_run, nruns; /* its data runs: core.runs[first_run .. first_run + nruns) */
        uint32_t flags;   /* PF_R | PF_W | PF_X */
        bool truncated;   /* p_filesz reached past the end of the file */
};

/* Addresses [lo, hi) of a segment whose bytes the file holds as data (not a hole). */
struct core_data_run {
        uint64_t lo, hi;
};

/*
 * What the core says about a stretch of addresses: the bytes are in the
 * file, known to be zero (a hole, or a tail core_mark_zero_tail vouched
 * for), or unknown (no segment, or past what the segment holds).
 */
enum core_span_kind {
        CORE_SPAN_ABSENT,
        CORE_SPAN_ZERO,
        CORE_SPAN_DATA,
};

struct core_span {
        uint64_t start, end;      /* [start, end); end may be UINT64_MAX for the absent space above all */
        enum core_span_kind kind;
        const uint8_t *bytes;     /* CORE_SPAN_DATA: the byte at start, in the mapped file; else NULL */
};

struct core_note {
        const char *name; /* NUL-terminated inside the mapped file */
        uint32_t type;
        const uint8_t *desc;
        size_t descsz;
        uint64_t file_offset; /* of the note header, for messages */
};

/* A thread as its NT_PRSTATUS and the notes after it describe it. */
struct core_thread {
        pid_t tid;
        int cursig;
        struct user_regs_struct regs;
        const struct core_note *prstatus;
        const struct core_note *fpregset;  /* NT_FPREGSET or NULL */
        const struct core_note *xstate;    /* NT_X86_XSTATE or NULL */
};

/* One NT_FILE entry: a file-backed mapping. */
struct core_file_map {
        uint64_t start, end;
        uint64_t offset;  /* in bytes (NT_FILE stores pages) */
        const char *path; /* inside the mapped file; may end in " (deleted)" */
};

struct core {
        char *path;
        int fd;
        Elf *elf;
        const uint8_t *data; /* the whole file, mapped by libelf */
        size_t size;

        struct core_segment *segs; /* PT_LOADs sorted by vaddr, overlaps dropped */
        size_t nsegs;
        struct core_data_run *runs; /* the segments' data runs, each segment's in address order */
        size_t nruns;
        struct core_note *notes;   /* in file order */
        size_t nnotes;
        struct core_thread *threads; /* in note order: the first is the main or faulting thread */
        size_t nthreads;
        struct core_file_map *files;
        size_t nfiles;
        uint64_t file_page_size;   /* NT_FILE's page size */

        /*
         * Copies of the notes below: their descriptors need only 4-byte
         * alignment in the file (gdb writes them so), these structs need 8.
         */
        uint64_t *auxv;            /* (type, value) pairs, or NULL */
        size_t auxv_count;
        const struct elf_prpsinfo *prpsinfo; /* &prpsinfo_copy, or NULL */
        const siginfo_t *siginfo;  /* &siginfo_copy: the first NT_SIGINFO, or NULL */
        struct elf_prpsinfo prpsinfo_copy;
        siginfo_t siginfo_copy;
        enum core_source source;
        size_t shnum;              /* section headers, for telling producers apart */
};

/*
 * Opens path.  Fails (-errno, logged with the file and, where it applies,
 * the offset) only when the file cannot be read or is not a 64-bit x86-64
 * ELF core; other damage is added to w and the core is still returned.
 */
int core_open(struct core *c, const char *path, struct warnings *w);
void core_close(struct core *c);

/* The segment whose [vaddr, vaddr + memsz) holds addr, or NULL. */
const struct core_segment *core_segment_at(const struct core *c, uint64_t addr);

/*
 * The first segment that ends above addr: the one holding it, else the
 * next one above it; NULL when none does.  For stepping over holes.
 */
const struct core_segment *core_segment_from(const struct core *c, uint64_t addr);

/*
 * The longest span around addr whose bytes are all in the file, all zero,
 * or all unknown.  A span never crosses a segment's bounds, so a walk asks
 * once per data run and once per hole, however large.
 */
void core_span_at(const struct core *c, uint64_t addr, struct core_span *out);

/*
 * Vouches that the bytes of the segment starting at vaddr past its filesz
 * are zero (a memsnap core's anonymous memory never touched: segments.c
 * knows which).  Refused (false) for a segment cut short by the end of the
 * file, whose missing bytes are not known.
 */
bool core_mark_zero_tail(struct core *c, uint64_t vaddr);

/* Takes every such vouching back: the bytes past filesz are unknown again. */
void core_unmark_zero_tails(struct core *c);

/* A pointer to len zero bytes (len at most CORE_ZEROS_MAX), for reads that land in a hole. */
#define CORE_ZEROS_MAX 4096
const uint8_t *core_zeros(void);

/* The NT_FILE entry whose [start, end) holds addr, or NULL. */
const struct core_file_map *core_file_at(const struct core *c, uint64_t addr);

/*
 * A pointer to len bytes at addr when the file holds all of them in one
 * data run, else NULL (also for bytes known only to be zero: see
 * core_read).  Zero-copy: points into the mapped file.
 */
const void *core_ptr(const struct core *c, uint64_t addr, size_t len);

/*
 * core_ptr for a walk in address order: *hint keeps the last span found
 * (start it zeroed), so a lookup in the same data run is two compares.
 */
const void *core_ptr_near(const struct core *c, struct core_span *hint, uint64_t addr, size_t len);

/*
 * Copies len bytes at addr into buf, across segment boundaries; holes and
 * known-zero tails read as zeros without touching the file.  Returns true
 * only when every byte's value is known.
 */
bool core_read(const struct core *c, uint64_t addr, void *buf, size_t len);
bool core_read_u64(const struct core *c, uint64_t addr, uint64_t *out);

/*
 * A copy of the NUL-terminated string at addr, at most max bytes before the
 * NUL, or NULL when the core does not hold it whole (or on no memory).
 */
char *core_read_string(const struct core *c, uint64_t addr, size_t max);

/* The first note with this name and type, or NULL. */
const struct core_note *core_find_note(const struct core *c, const char *name, uint32_t type);

/* An auxv value (AT_PAGESZ, AT_SYSINFO_EHDR, ...), or false when absent. */
bool core_auxv(const struct core *c, uint64_t type, uint64_t *value);

#endif
