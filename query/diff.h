/*
 * What changed between two snapshots of one program: the model `memsnap
 * diff` computes (diff.c and friends) and prints (diff_text.c for people,
 * diff_json.c for programs).
 *
 * Blocks are the used chunks.  A block of "after" is added when "before"
 * has no used block with the same mem and size (and the same content hash
 * where both have one); removed the other way round.  Blocks at the same
 * mem whose size differs are changed, not added and removed, and so are
 * matching blocks whose arena or leak verdict differs.  A new definite leak
 * is an added block with verdict definite, or a block that stayed and became
 * definite.  Growth compares used blocks grouped by a key that survives
 * address changes: the type hint where there is one, else the size class.
 */
#ifndef MEMSNAP_DIFF_H
#define MEMSNAP_DIFF_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db_open.h"
#include "schema/schema_enum.h"

#define DIFF_HEAD_MAX 32

/* Threads (and arenas with an owning thread) read from each side at most: bounds a crafted database. */
#define DIFF_THREADS_MAX 100000

/* One used block as a database holds it (a row of chunks). */
struct diff_chunk {
        int64_t id;                 /* chunks.id in its database */
        uint64_t address, mem, size, usable;
        int64_t size_class;         /* chunks.size_class: the power of two at or below size */
        int64_t arena_id;           /* -1: none (mmapped) */
        int64_t hash;
        char *type;                 /* type hint, or NULL */
        uint8_t head[DIFF_HEAD_MAX];
        uint8_t head_len;
        bool has_hash, has_head, mmapped;
        uint8_t leak;               /* enum leak_kind (schema/schema_enum.h): chunks.leak */
};

/* What differs in a changed block (bits). */
enum diff_change {
        DIFF_CHANGED_SIZE = 1 << 0,
        DIFF_CHANGED_ARENA = 1 << 1,
        DIFF_CHANGED_LEAK = 1 << 2,
};

struct diff_changed {
        struct diff_chunk before, after;
        unsigned what;              /* enum diff_change bits */
};

struct diff_growth {
        char *key;                  /* "type:NAME" or "size:CLASS" */
        char *type;                 /* NULL for size-class keys */
        int64_t size_class;         /* -1 for type keys */
        int64_t count_before, count_after, bytes_before, bytes_after;
};

/*
 * What one root holder retains on each side (diff_owners.c).  Holders are
 * matched by a key without addresses or thread ids, which differ between
 * two processes: a static by module path and symbol, TLS by module path,
 * a stack frame by thread name and function, a register by thread name and
 * register, an anonymous mapping by its path; holders that share a key
 * (the same frame in several threads) are summed.  The key "unowned" sums
 * the blocks no single holder dominates (shared by two, or leaked).
 */
struct diff_owner {
        char *key;
        char *name;                 /* for people: "static g_cache in libfoo.so" (after's, else before's) */
        char *kind;                 /* roots.kind, or "none" for unowned */
        int64_t retained_before, retained_after; /* 0 where the side has no such holder */
};

struct diff_segment {
        uint64_t start, end;
        char perms[8];
        char *kind;
        char *path;                 /* NULL for anonymous */
        int64_t rss_kb;             /* -1 unknown (no smaps) */
};

enum diff_segment_change { DIFF_SEG_ADDED, DIFF_SEG_REMOVED, DIFF_SEG_RESIZED };

struct diff_segment_delta {
        enum diff_segment_change change;
        struct diff_segment before, after; /* before unset for added, after for removed */
};

struct diff_kind {
        char *kind;
        int64_t virt_kb_before, virt_kb_after;
        int64_t rss_kb_before, rss_kb_after; /* -1 unknown */
};

struct diff_thread {
        bool added;                 /* else removed */
        int64_t tid;
        char *name;
        char *function;             /* innermost named frame, or NULL */
};

/* Facts about one side, for the header and the build-id check. */
struct diff_side {
        const char *path;           /* as given */
        int64_t pid;
        char *exe, *captured_at, *source, *build_id;
        int64_t threads;
        int64_t used_chunks, used_bytes;
        /* arenas used by exactly one thread's tcache, and that thread: a block's likely owner */
        struct { int64_t arena_id, tid; } *arena_threads;
        size_t narena_threads;
        int64_t only_thread;        /* the tid when the process has one thread, else 0 */
        struct { int64_t tid; char *name; } *thread_names;
        size_t nthread_names;
};

struct diff_summary {
        size_t added, removed, changed;
        uint64_t added_bytes, removed_bytes;
        size_t leaked_added;        /* added blocks with verdict definite */
        uint64_t leaked_added_bytes;
        size_t leaked_changed;      /* blocks that stayed and became definite */
        uint64_t leaked_changed_bytes;
};

/* A new definite leak as the text lists it. */
struct diff_leak_entry {
        struct diff_chunk c;        /* the block in "after"; c.type is owned */
        bool changed;               /* a block that stayed and became definite (else added) */
        uint8_t before_leak;        /* changed: its verdict in "before" (enum leak_kind) */
};

/*
 * How many entries of each list diff_chunks keeps.  A diff of two big
 * snapshots has millions of added and removed blocks, but prints at most
 * --limit of each, so that many is all it holds: memory follows the limit,
 * not the databases.  The summary counts every block either way.
 * DIFF_KEEP_ALL keeps everything.
 */
struct diff_keep {
        size_t added, removed;      /* the first in mem order */
        size_t changed;             /* the first in mem order */
        size_t changed_other;       /* ... and the first that are not new leaks */
        size_t leaks;               /* the largest new definite leaks (diff_leaks) */
};

#define DIFF_ALL SIZE_MAX
#define DIFF_KEEP_ALL ((struct diff_keep){ DIFF_ALL, DIFF_ALL, DIFF_ALL, DIFF_ALL, DIFF_ALL })

struct diff {
        struct diff_keep keep;          /* set before diff_chunks */
        struct db_guard guard;          /* the connection diff_open made (both sides attached) */
        uint64_t max_steps;             /* each side's block reader's limit (db_guard.max_steps) */
        struct diff_side before, after;
        struct diff_summary summary;

        struct diff_chunk *added;       size_t nadded, cap_added;     /* by mem */
        struct diff_chunk *removed;     size_t nremoved, cap_removed; /* by mem */
        struct diff_changed *changed;   size_t nchanged, cap_changed; /* by mem */
        size_t nchanged_other;          /* of changed: those that are not new leaks */
        struct diff_leak_entry *leaks;  size_t nleaks, cap_leaks;    /* largest first */
        struct diff_growth *growth;     size_t ngrowth;    /* largest byte growth first */
        struct diff_segment_delta *segments; size_t nsegments; /* by address */
        struct diff_kind *kinds;        size_t nkinds;
        struct diff_thread *threads;    size_t nthreads;
        struct diff_owner *owners;      size_t nowners;    /* largest retained growth first */
};

/*
 * Opens the two databases as "a" and "b" on one read-only connection,
 * each checked as db_open_readonly checks, guarded by g.  Logs and
 * returns -errno.
 */
int diff_open(const char *before, const char *after, struct db_guard *g, sqlite3 **ret);

/*
 * Reads both sides' facts and refuses (-EXDEV, logged) snapshots of
 * different programs — main modules with different build-ids, or, where a
 * build-id is missing, different executables — unless force.
 */
int diff_side_check_same_program(sqlite3 *db, struct diff *d, bool force);

/*
 * Fills d->added, removed, changed, leaks (as much of each as d->keep
 * says), growth and the summary: a merge of both sides' used blocks in mem
 * order, counting growth on the way.
 */
int diff_chunks(sqlite3 *db, struct diff *d);

/* Fills d->segments and d->kinds. */
int diff_segments(sqlite3 *db, struct diff *d);

/* Fills d->threads: by tid when both sides are one process, else by name. */
int diff_threads(sqlite3 *db, struct diff *d);

/* Fills d->owners: the holders whose retained bytes differ (none when neither side has roots). */
int diff_owners(sqlite3 *db, struct diff *d);

/*
 * One side's holders as diff_owners keys and names them, sorted by key,
 * into *ret (retained_before holds the side's figure; retained_after is
 * 0), from the database attached as schema ("main" on a connection of its
 * own).  With unowned false the unowned blocks are left out: a caller that
 * streamed the blocks already sums them (diff_stream.h's
 * DIFF_STREAM_MATCH) and adds them with diff_owners_add_unowned, sparing a
 * second pass over the chunks.  Logs and returns -errno; free with
 * diff_owners_free.
 */
int diff_owners_load(sqlite3 *db, struct db_guard *g, const char *schema, const char *path, bool unowned,
                     struct diff_owner **ret, size_t *n);

/*
 * Adds the "unowned" holder to v[0..*n) (from diff_owners_load with
 * unowned false) as diff_owners_load would have read it: chunks blocks
 * retaining bytes that no single holder dominates, added only when v has
 * root holders and chunks > 0; v stays sorted by key.  path names the
 * database in errors.  Logs and returns -errno.
 */
int diff_owners_add_unowned(struct diff_owner **v, size_t *n, int64_t chunks, int64_t bytes, const char *path);
void diff_owners_free(struct diff_owner *v, size_t n);

/* The thread a block's arena belongs to on that side, or 0 when it is not known. */
int64_t diff_side_chunk_thread(const struct diff_side *s, const struct diff_chunk *c);
const char *diff_side_thread_name(const struct diff_side *s, int64_t tid);

/* A new definite leak: added and definite, or changed into definite. */
static inline bool diff_changed_is_new_leak(const struct diff_changed *c)
{
        return c->after.leak == LEAK_DEFINITE && c->before.leak != LEAK_DEFINITE;
}

static inline size_t diff_new_leaks(const struct diff *d)
{
        return d->summary.leaked_added + d->summary.leaked_changed;
}

void diff_free(struct diff *d);

#endif
