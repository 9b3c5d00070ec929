/*
 * The reach stage: which used heap blocks the process can still reach, and
 * which it leaked, with the pointers that prove it.
 *
 * One pass reads every root (reach_roots.c) and every used block once
 * (reach_scan.c), recording each pointer into a used block as a ref; while
 * a block's bytes are in the cache it is also given a type hint
 * (type_hint.c).  A second thread hashes the blocks (chunk_hash.c) beside
 * the scan: the multiplies cost a fifth of the pass, and analyze's other
 * CPU is idle until the database write.  The verdicts then follow from the refs
 * alone (reach_verdict.c), as valgrind memcheck defines them.  Memory the
 * core lacks is reported as one warning per kind of segment: a block held
 * only from there is called leaked, and the warning says so.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "chunk_hash.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/progress.h"
#include "common/units.h"
#include "reach.h"
#include "analyze/stages.h"
#include "type_hint.h"

static void report_unknown(struct analysis *a, const struct scan *s)
{
        char b[UNITS_BUF_MAX];

        for (int k = 0; k < SEG_KIND_COUNT; k++)
                /*
                 * A module's read-only pages missing from a core were never
                 * written (every producer dumps RELRO once the loader has
                 * relocated it): they hold the file's bytes, which cannot
                 * know a heap address.  Nothing is unknown there.
                 */
                if (s->unknown.bytes[k] && k != SEG_RODATA)
                        warn_add(&a->warnings, "reach", 0,
                                 "%s of %u %s segment%s scanned as roots are not in the core: pointers there are unknown, and blocks held only from there are called leaked",
                                 units_format_bytes(b, s->unknown.bytes[k]), s->unknown.segments[k],
                                 segment_kind_name(k), s->unknown.segments[k] == 1 ? "" : "s");
        if (s->unknown.blocks)
                warn_add(&a->warnings, "reach", 0,
                         "%s of %llu used block%s are not in the core: pointers in them are unknown, and they have no hash or type hint",
                         units_format_bytes(b, s->unknown.block_bytes), (unsigned long long)s->unknown.blocks,
                         s->unknown.blocks == 1 ? "" : "s");
        if (s->refs_capped)
                warn_add(&a->warnings, "reach", 0,
                         "more than %zu pointers into heap blocks: the rest were not recorded, so verdicts may call reachable blocks leaked",
                         s->max_refs);
}

struct hash_job {
        const struct core *core;
        const struct reach_index *ix;
        struct chunk *chunks;
};

/* The hash of every used block, 0 for those the core lacks.  Writes only chunk.hash. */
static void *hash_blocks(void *arg)
{
        const struct hash_job *j = arg;
        struct core_span cur = { 0 };

        for (size_t u = 0; u < j->ix->n; u++) {
                uint64_t mem = j->ix->area[u].mem, len = j->ix->area[u].end - mem;
                j->chunks[j->ix->area[u].chunk].hash = chunk_hash_in_core(j->core, &cur, mem, len);
        }
        return NULL;
}

struct hash_thread {
        pthread_t id;
        bool running;
};

static void hash_thread_join(struct hash_thread *t)
{
        if (t->running)
                pthread_join(t->id, NULL);
        t->running = false;
}

/*
 * Every used block once: its pointers and its type hint here, its hash on
 * a second thread (or here, when none can be started).
 */
static int scan_blocks(struct analysis *a, struct scan *s, const struct reach_index *ix)
{
        _cleanup_(type_hints_free) struct type_hints th = { 0 };
        _cleanup_(progress_end) struct progress p;
        struct hash_job job = { .core = &a->core, .ix = ix, .chunks = a->chunks };
        /* Joined before anything it reads is freed, on every return. */
        _cleanup_(hash_thread_join) struct hash_thread hasher = { 0 };
        struct core_span hash_cur = { 0 };
        int r;

        progress_begin(&p, "reach", ix->n, false, a->opt.quiet);
        if ((r = type_hints_init(&th, a)) < 0)
                return r;
        r = pthread_create(&hasher.id, NULL, hash_blocks, &job);
        if (r != 0)
                log_debug("cannot start the hashing thread (%s): the scan hashes", strerror(r));
        hasher.running = r == 0;
        for (size_t u = 0; u < ix->n; u++) {
                const uint8_t *bytes;
                if ((r = scan_block(s, u, &bytes)) < 0)
                        return r;
                struct chunk *c = &a->chunks[ix->area[u].chunk];
                c->type_id = NO_ID;
                if (bytes) {
                        uint64_t len = ix->area[u].end - ix->area[u].mem;
                        if (!hasher.running)
                                c->hash = chunk_hash_in_core(&a->core, &hash_cur, ix->area[u].mem, len);
                        int32_t t = type_hint(&th, bytes, len);
                        if (t < NO_ID)
                                return t;
                        c->type_id = t;
                } else if (!hasher.running) {
                        c->hash = 0;
                }
                if ((u & 0xffff) == 0)
                        progress_update(&p, u);
        }
        return 0;
}

int reach_compute(struct analysis *a)
{
        _cleanup_(reach_index_free) struct reach_index ix = { 0 };
        _cleanup_(root_set_free) struct root_set roots = { 0 };
        _cleanup_(scan_free) struct scan s = { 0 };
        int r;

        /* Chunks come as the heap walker leaves them: no hash, no type, no verdict. */
        if (a->nchunks == 0)
                return 0;

        if ((r = reach_index_build(&ix, a->chunks, a->nchunks, &a->warnings)) < 0 ||
            (r = reach_roots_collect(a, &roots)) < 0)
                return log_error_errno(r, "cannot analyze '%s': reachability: %m", a->opt.core_path);

        s = (struct scan){ .core = &a->core, .ix = &ix, .segments = a->segments, .chunks = a->chunks,
                           .max_refs = REFS_MAX };
        if ((r = scan_registers(&s, a->threads, a->nthreads)) < 0)
                return log_error_errno(r, "cannot analyze '%s': reachability: %m", a->opt.core_path);
        for (size_t i = 0; i < roots.n; i++)
                if ((r = scan_root(&s, &roots.v[i])) < 0)
                        return log_error_errno(r, "cannot analyze '%s': reachability: %m", a->opt.core_path);
        if ((r = scan_blocks(a, &s, &ix)) < 0 || (r = scan_flush(&s)) < 0)
                return log_error_errno(r, "cannot analyze '%s': reachability: %m", a->opt.core_path);
        report_unknown(a, &s);

        /* The refs are kept for the database; give back what the doubling over-allocated. */
        struct ref *fit = s.nrefs ? realloc(s.refs, s.nrefs * sizeof(*fit)) : NULL;
        a->refs = fit ? fit : s.refs;
        a->nrefs = s.nrefs;
        s.refs = NULL;
        if (!a->nrefs) {
                free(a->refs);
                a->refs = NULL;
        }

        if ((r = reach_verdict(a->chunks, a->nchunks, a->refs, a->nrefs)) < 0)
                return log_error_errno(r, "cannot analyze '%s': leak verdicts: %m", a->opt.core_path);

        /* Used chunks the index refused (overlapping, empty) are nobody's target: no verdict for them. */
        for (size_t k = 0; k < ix.nrefused; k++)
                a->chunks[ix.refused[k]].leak = LEAK_NONE;

        log_debug("reach: %zu root ranges, %zu used blocks, %zu refs", roots.n, ix.n, a->nrefs);
        return 0;
}
