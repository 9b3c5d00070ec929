/*
 * The analysis of one core: what each stage of `memsnap analyze` finds, kept
 * in memory as plain arrays and written to the database at the end by
 * db/db_write.c (the big arrays straight into SQLite, on two threads).
 *
 * The stages run in order (stages.h, analysis_run), each reading what the
 * earlier ones found and writing one result of its own:
 *   core        -> core             (core/core.c: the file opened and checked)
 *   snapshot    -> snap             (snapshot.c: notes, MEMSNAP text)
 *   skipped     -> skipped          (skipped.c: what capture left out, warned)
 *   modules     -> modules          (modules.c, libdwfl)
 *   threads     -> threads          (threads.c, libdwfl: threads and frames)
 *   segments    -> segments         (segments.c: PT_LOADs + NT_FILE + smaps, classified)
 *   heap        -> heap             (heap.c: allocators, and each walker's blocks
 *                                    (chunks) and structures: glibc/glibc_heap.c's
 *                                    arenas, heaps, tcaches; ranges of their memory)
 *   heap kinds  -> segments' kinds  (segments.c: malloc memory becomes heap)
 *   reach       -> reach            (reach/reach.c: refs, type names; and
 *                                    chunks' hash, type_id, leak)
 *   owners      -> owners           (owners/owners.c: root holders, each
 *                                    block's immediate dominator, retained sizes)
 *   explain     -> explained        (skipped.c: warnings about left-out
 *                                    addresses say so)
 * Every stage appends to the warnings.  Indexes into these arrays are the
 * ids in the database (id = index + 1 for tables with an `id` column), so
 * cross references are plain integers.
 */
#ifndef MEMSNAP_ANALYSIS_H
#define MEMSNAP_ANALYSIS_H

#include <elf.h>
#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/atomic_file.h"
#include "common/glibc_malloc.h"
#include "common/segment_kind.h"
#include "analyze/core/core.h"
#include "analyze/core/core_view.h"
#include "jemalloc_tables.h"
#include "schema/schema_enum.h"
#include "skipped.h"
#include "tcmalloc_tables.h"
#include "warnings.h"

#define NO_ID (-1)

/*
 * --max-segments' default: twice the kernel's default vm.max_map_count
 * (65530, include/linux/mm.h DEFAULT_MAX_MAP_COUNT), so a real process fits;
 * a crafted core far beyond it would keep libdwfl busy for minutes
 * (docs/security.md).
 */
#define SEGMENTS_DEFAULT 131072

struct analyze_options {
        const char *core_path;
        const char *db_path;
        const char *executable;      /* --exe: the main program, if not where the core says */
        const char *debuginfo_path;  /* --debuginfo-path: replaces the default search path */
        bool no_debuginfo;           /* --no-debuginfo: symbols from the files only, not debug files */
        bool core_only;              /* --core-only: open no file but the core (docs/security.md) */
        size_t max_segments;         /* --max-segments: PT_LOADs and NT_FILE entries accepted; 0: SEGMENTS_DEFAULT */
        bool force;
        bool quiet;
        bool verbose;
        unsigned max_frames;         /* frames per thread */
};

struct snapshot_info {
        int pid;
        int ppid;                   /* 0 when unknown */
        char *comm;                 /* the kernel's 16-byte task name (prpsinfo fname, status Name) */
        char *exe;
        char *cmdline;              /* arguments joined by spaces */
        bool cmdline_complete;      /* false: from NT_PRPSINFO, which keeps only 79 bytes */
        char *captured_at;          /* RFC 3339, UTC; NULL when unknown */
        enum core_source source;
        uint64_t page_size;
        int signal;                 /* the signal that made the core, 0 for none */
        double pause_ms;            /* memsnap cores: how long the target was stopped; < 0 unknown */
        /* /proc/PID/status figures in KiB, -1 when unknown */
        int64_t vm_rss_kb, vm_size_kb, vm_data_kb, vm_stk_kb, vm_exe_kb, vm_lib_kb, vm_swap_kb;
        int64_t vm_hwm_kb, vm_peak_kb, rss_anon_kb, rss_file_kb, rss_shmem_kb, vm_pte_kb;
};

struct segment {
        uint64_t start, end;
        char perms[5];
        uint64_t offset;            /* file offset, for file mappings */
        char *path;                 /* file or pseudo name ("[heap]"); NULL for anonymous */
        bool deleted;               /* the file was deleted (" (deleted)") */
        char *vm_flags;             /* smaps VmFlags ("rd wr mr mw me ac"), or NULL */
        enum segment_kind kind;     /* maps_kind, then with the heap walk's findings (segments_mark_heap) */
        enum segment_kind maps_kind; /* as the maps alone say (segment_kind_classify) */
        int module_id;              /* index into modules, or NO_ID */
        int tid;                    /* thread whose stack (or stack guard) this is, or 0 */
        int arena_id;               /* index into arenas for malloc heaps, or NO_ID */
        uint64_t in_core;           /* bytes the core holds */
        bool tail_zero;             /* the bytes past in_core are known zero: a memsnap core's
                                       anonymous memory never touched (docs/core-format.md) */
        bool from_notes;            /* no PT_LOAD: known from NT_FILE or the smaps note only */
        /* smaps figures in KiB, -1 when unknown */
        int64_t rss_kb, pss_kb, swap_kb, private_dirty_kb, private_clean_kb;
        int64_t shared_clean_kb, shared_dirty_kb, anonymous_kb;
};

/*
 * segments.c: of the n segments at v (sorted by start and disjoint, as
 * segments_build leaves them), the index of the first that ends above
 * addr: the one holding addr, else the next one above it; n when none does.
 */
size_t segment_index_from(const struct segment *v, size_t n, uint64_t addr);

struct module {
        char *path;                 /* as the core names it, without " (deleted)" */
        char *build_id;             /* hex, as the core holds it, or NULL */
        char *file_build_id;        /* hex, of the file found on disk, or NULL */
        uint64_t start, end, load_bias;
        bool is_main;
        bool deleted;               /* the core says the file was deleted */
        enum module_file_status file_status;
        char *elf_file;             /* the file libdwfl read symbols from, or NULL for none */
        char *debug_file;           /* separate debug info found, or NULL */
        /* from the module's ELF program headers: as `size` counts them, in bytes */
        int64_t text_size, data_size, bss_size;
        /* the program headers: of the file when it matches, else the core's copy; or NULL */
        Elf64_Phdr *phdrs;
        size_t nphdrs;
        Dwfl_Module *dwfl_mod;      /* not owned */
};

struct thread {
        int tid;
        char *name;
        bool is_main;
        uint64_t pc, sp, fs_base;
        int signal;
        int nframes;                /* frames unwound */
        char *unwind_stop;          /* why unwinding stopped early, or NULL when it reached the end */
        const struct core_thread *core; /* registers as the core holds them */
};

struct frame {
        int tid;
        int depth;                  /* 0 = innermost */
        uint64_t pc;
        uint64_t sp;                /* its stack pointer (rsp as the unwinder restored it), 0 when unknown:
                                       the frame's stack area is [sp, the next frame's sp) */
        int module_id;
        char *function;             /* the symbol made readable (C++ demangled) */
        char *symbol;               /* the ELF symbol as the module spells it */
        uint64_t offset;            /* pc - function start */
        char *source_file;
        int line;                   /* 0 when unknown */
};

/* Live stacks recorded by `capture --stacks` (MEMSNAP_NT_STACKS). */
struct live_frame {
        int tid;
        int depth;
        uint64_t pc;
        char *function;             /* the symbol made readable (C++ demangled) */
        char *symbol;               /* as the MEMSNAP stacks note spells it */
        uint64_t offset;
        char *module;
};

struct arena {
        uint64_t address;           /* of its struct malloc_state */
        bool is_main;
        uint64_t top, top_size;
        uint64_t system_mem, max_system_mem;
        uint64_t next;              /* malloc_state.next */
        int heaps;                  /* heap_info count (0 for the main arena) */
        const char *found_by;       /* "symbol", "shape", ... */
        uint32_t mutex;             /* malloc_state.mutex: nonzero = a thread held the arena at the snapshot */
        uint32_t flags;             /* malloc_state.flags (2 = NONCONTIGUOUS_BIT) */
        uint64_t attached_threads;  /* threads using the arena */
};

/* glibc's struct malloc_par (mp_): the tunables and mmap counters of malloc. */
struct malloc_par_info {
        bool found;
        uint64_t address;
        const char *found_by;       /* "symbol", "shape" */
        char layout[16];            /* the glibc layout it was read with ("2.36") */
        uint64_t trim_threshold, top_pad, mmap_threshold, arena_test, arena_max;
        int64_t thp_pagesize, hp_pagesize; /* -1 in releases without them (before 2.35) */
        int64_t n_mmaps, n_mmaps_max, max_n_mmaps, no_dyn_threshold;
        uint64_t mmapped_mem, max_mmapped_mem; /* bytes */
        uint64_t sbrk_base;         /* where the main arena's brk heap starts */
        uint64_t tcache_bins, tcache_max_bytes, tcache_count, tcache_unsorted_limit;
};

/* A glibc heap_info: one HEAP_MAX_SIZE-aligned heap of a non-main arena. */
struct heap {
        uint64_t address;
        int arena_id;
        uint64_t size, mprotect_size;
        uint64_t prev;
};

/* A stretch of one arena's memory: a region walked, a heap_info heap's whole reservation, the brk heap. */
struct heap_range {
        uint64_t start, end;
        int arena_id;
};

/*
 * One block of an allocator: a glibc malloc chunk, or a region or large
 * extent of another allocator.  Every stage after the heap stage reads a
 * block through chunk_mem and chunk_usable, whatever allocator made it.
 * Kept small: a heap can have many millions.
 */
struct chunk {
        uint64_t address;           /* glibc: of the chunk header (mem = address + 16); others: the user address */
        uint64_t size;              /* glibc: chunksize(), flags masked off; others: the usable size */
        uint64_t hash;              /* of the usable bytes (used chunks), 0 when not computed */
        int32_t arena_id;           /* glibc: index into arenas, NO_ID for mmapped chunks; others: NO_ID */
        int32_t segment_id;
        int32_t type_id;            /* index into types, or NO_ID */
        uint8_t state;              /* enum chunk_state */
        uint8_t bin;                /* enum chunk_bin */
        uint8_t leak;               /* enum leak_kind */
        uint8_t mmapped : 1;        /* glibc: an mmapped chunk; others: 0 */
        uint8_t allocator : 7;      /* enum allocator_kind: ALLOCATOR_GLIBC (0) unless a walker says otherwise */
};
_Static_assert(sizeof(struct chunk) == 40, "struct chunk stays 40 bytes");

/* The address malloc returned for c. */
static inline uint64_t chunk_mem(const struct chunk *c)
{
        return c->allocator == ALLOCATOR_GLIBC ? c->address + GLIBC_CHUNK_HDR_SZ : c->address;
}

/*
 * What malloc_usable_size() says of c.  glibc malloc.c musable(): a used
 * chunk may also use the next chunk's prev_size field, unless mmapped.
 * Other allocators' blocks carry no header: their size is what is usable.
 */
static inline uint64_t chunk_usable(const struct chunk *c)
{
        if (c->allocator != ALLOCATOR_GLIBC)
                return c->size;
        if (c->size < GLIBC_CHUNK_HDR_SZ)
                return 0;
        return c->mmapped ? c->size - GLIBC_CHUNK_HDR_SZ : c->size - GLIBC_SIZE_SZ;
}

/*
 * A pointer into a used block.  Kept to 24 bytes (there are often several
 * per chunk): the database's from_offset is not stored but derived, by
 * reach_ref_from_offset, from where the pointer is.
 */
struct ref {
        uint64_t from;              /* where the pointer is; for a register root, the register's
                                       offset in user_regs_struct (NT_PRSTATUS pr_reg) */
        int32_t from_chunk;         /* NO_ID for a root */
        int32_t to_chunk;
        uint32_t to_offset;         /* 0 = start pointer */
        uint32_t root_kind : 3;     /* enum root_kind; ROOT_NONE between chunks */
        uint32_t tid : 29;          /* register, stack and TLS roots (kernel PID_MAX_LIMIT is 2^22) */
};
_Static_assert(sizeof(struct ref) == 24, "struct ref stays 24 bytes");

/* reach/reach.c: the database's refs.from_address: where the pointer is, 0 for a register. */
uint64_t reach_ref_from_address(const struct ref *x);

struct analysis;

/*
 * The database's refs.from_offset: within from_chunk's user bytes, within
 * the root's segment, or the register's offset; UINT32_MAX past 4 GiB.
 */
uint32_t reach_ref_from_offset(const struct analysis *a, const struct ref *x);

struct tcache {
        int tid;                    /* 0 when not tied to a thread */
        uint64_t address;           /* of the tcache_perthread_struct */
        int arena_id;
        const char *found_by;
        unsigned entries;           /* chunks it holds */
};

/*
 * The memory allocators a process carries (allocators.c): glibc's malloc
 * when a C library is mapped, and any other whose entry points a module
 * defines.  Those with a walker (heap.h) have their blocks in chunks; the
 * others are named, so that no one takes an empty or odd glibc heap for
 * the whole story.
 */
struct allocator {
        enum allocator_kind kind;
        enum allocator_state state;
        int module_id;              /* the module that carries it, or NO_ID */
        bool serves_malloc;         /* the process's malloc() is this allocator's */
        bool walked;                /* its blocks are in chunks */
        char *evidence;             /* how it was recognised, for people */
};

/* modules.c: the loaded ELF modules, and the libdwfl session that found them. */
struct modules_result {
        struct module *v;           size_t n;
        Dwfl *dwfl;                 /* later stages look up symbols and unwind through it */
        Dwfl_Callbacks callbacks;   /* must outlive dwfl, which keeps a pointer to it */
        struct core_view view;      /* the core as dwfl sees it; outlives dwfl too */
};

/* threads.c: the threads, their unwound frames, and the live stacks capture recorded. */
struct threads_result {
        struct thread *v;           size_t n;
        struct frame *frames;       size_t nframes;
        struct live_frame *live_frames; size_t nlive_frames;
};

/*
 * segments.c: the address space, one row per mapping, sorted by start; and
 * each thread's stack segment, found by its stack pointer.  The kinds are
 * those of the maps until the heap-kinds stage adds what the heap walk found.
 */
struct segments_result {
        struct segment *v;          size_t n;
        int *thread_stack;          /* per thread (as threads.v): index into v, or NO_ID */
};

/*
 * The heap stage (heap.c, allocators.c, each walker): the allocators, the
 * blocks of all the walked ones (chunks), each walker's structures, and
 * the ranges of their memory.
 */
struct heap_result {
        char *glibc_version;        /* of the C library: "2.36", or NULL */
        char *glibc_build_id;       /* hex, or NULL */
        struct allocator *allocators; size_t nallocators;
        struct malloc_par_info malloc_par;
        struct arena *arenas;       size_t narenas;
        struct heap *heaps;         size_t nheaps;
        struct chunk *chunks;       size_t nchunks;   /* sorted by address */
        struct tcache *tcaches;     size_t ntcaches;
        /* arena memory, in the order it was found: where the heap-kinds stage looks for segments */
        struct heap_range *ranges;  size_t nranges;
        struct jemalloc_heap jemalloc; /* jemalloc's structures (analyze/jemalloc/) */
        struct tcmalloc_heap tcmalloc; /* gperftools' own structures (tcmalloc/tcmalloc_heap.c) */
};

/*
 * The reach stage (reach/): pointers into used blocks, and the type hint
 * names.  Its per-chunk findings (chunk.hash, .type_id, .leak) are fields
 * of the heap stage's chunks, which it alone writes: a parallel array
 * would add bytes to each of many millions of chunks.
 */
struct reach_result {
        struct ref *refs;           size_t nrefs;
        char **types;               size_t ntypes;    /* type hint names ("Widget", "string") */
};

/*
 * A root holder (owners/owners_holders.c): what a person names as holding
 * heap pointers: a static variable, a stack frame, a register, a thread's
 * TLS, an anonymous mapping.  The database's roots row (id = index + 1).
 */
struct root_holder {
        uint8_t kind;               /* enum root_kind */
        bool conservative;          /* its slots may hold stale copies (docs/database.md, roots) */
        int tid;                    /* register, stack, tls; 0 otherwise */
        int module_id;              /* static, tls: index into modules, or NO_ID */
        int segment_id;             /* where its first slot is; NO_ID for a register */
        int frame_depth;            /* stack: frames.depth of tid, or -1 when no frame holds the slots */
        const char *function;       /* stack: that frame's function (the frames' string), or NULL */
        char *symbol;               /* static: the object symbol covering the slots, or NULL */
        uint64_t symbol_offset;     /* from the symbol's start to the first slot */
        const char *reg;            /* register: its name as gdb spells it (a string constant) */
        char *name;                 /* for people */
        uint64_t blocks, retained;  /* used blocks it dominates, and their bytes */
};

/*
 * The owners stage (owners/): the root holders, the holder of each root
 * ref, and over the graph "virtual root -> holders and leak heads ->
 * blocks via refs" each chunk's immediate dominator and retained size.
 * Per-chunk results are parallel arrays here, not fields of struct chunk:
 * most analyses never read them before the database is written.
 */
/* A root ref (its index in reach.refs) and the holder it belongs to (index into owners.holders). */
struct owners_root_ref {
        uint32_t ref;
        int32_t holder;
};

struct owners_result {
        struct root_holder *holders; size_t nholders;
        struct owners_root_ref *root_refs; /* every root ref, by ref index: a few per holder, not one per ref */
        size_t nroot_refs;
        int32_t *idom;              /* per chunk: a chunk index, owners_idom_holder(h), or NO_ID (the virtual root, or unused) */
        uint64_t *retained;         /* per chunk: its size plus what it dominates; 0 for chunks not used */
};

/* owners.idom's encoding of holder h: below NO_ID, so chunk indexes keep their values. */
static inline int32_t owners_idom_holder(size_t h)
{
        return -2 - (int32_t)h;
}

/* The holder an owners.idom value names, or NO_ID when it names a chunk or nothing. */
static inline int32_t owners_idom_as_holder(int32_t idom)
{
        return idom < NO_ID ? -2 - idom : NO_ID;
}

/* The holder of ref number ref (index into owners.holders), or NO_ID for a ref between chunks: a bisection. */
static inline int32_t owners_ref_holder(const struct owners_result *o, size_t ref)
{
        size_t lo = 0, hi = o->nroot_refs;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (o->root_refs[mid].ref < ref)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo < o->nroot_refs && o->root_refs[lo].ref == ref ? o->root_refs[lo].holder : NO_ID;
}

/* The stages, in the order they run (stages.h; analysis.c has the table). */
enum analysis_stage {
        STAGE_CORE,                 /* core.c: the core opened, its size checked */
        STAGE_SNAPSHOT,
        STAGE_SKIPPED,
        STAGE_MODULES,
        STAGE_THREADS,
        STAGE_SEGMENTS,
        STAGE_HEAP,
        STAGE_HEAP_KINDS,           /* segments.c: segments holding malloc memory become heap */
        STAGE_REACH,
        STAGE_OWNERS,               /* owners/owners.c: root holders, dominators, retained sizes */
        STAGE_EXPLAIN,
        STAGE_COUNT
};

struct analysis {
        struct analyze_options opt;
        /* The database's temporary, made before the work starts so a bad -o fails at once. */
        struct atomic_file out;
        /* Every stage's findings, in order: appended to, and only annotated by the explain stage. */
        struct warnings warnings;

        /* One result per stage, each written by its stage alone. */
        struct core core;
        struct snapshot_info snap;
        struct skipped_list skipped;  /* what capture left out that the core cannot give back */
        struct modules_result modules;
        struct threads_result threads;
        struct segments_result segments;
        struct heap_result heap;
        struct reach_result reach;
        struct owners_result owners;
        struct skipped_explained explained;

        /* Kept by analysis_run: the first stage not run yet, and how many warnings each stage found. */
        enum analysis_stage next;
        size_t warnings_at[STAGE_COUNT];
};

/* The stack segment of thread t (index into threads.v): index into segments.v, or NO_ID. */
static inline int analysis_thread_stack(const struct analysis *a, size_t t)
{
        return a->segments.thread_stack && t < a->threads.n ? a->segments.thread_stack[t] : NO_ID;
}

/* A fresh analysis: nothing opened, no stage run.  Options are set after. */
#define ANALYSIS_INIT { .out = ATOMIC_FILE_INIT, .core = { .fd = -1 } }

/* Frees everything an analysis holds (every stage's result, the warnings, the temporary database). */
void analysis_free(struct analysis *a);

#endif
