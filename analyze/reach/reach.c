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
#include "common/glibc_malloc.h"
#include "common/log.h"
#include "common/progress.h"
#include "common/units.h"
#include "reach.h"
#include "analyze/stages.h"
#include "type_hint.h"

static void report_unknown(struct warnings *w, const struct scan *s)
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
                        warnings_add(w, "reach", 0,
                                     "%s of %u %s segment%s scanned as roots are not in the core: pointers there are unknown, and blocks held only from there are called leaked",
                                     units_format_bytes(b, s->unknown.bytes[k]), s->unknown.segments[k],
                                     segment_kind_name(k), s->unknown.segments[k] == 1 ? "" : "s");
        if (s->unknown.blocks)
                warnings_add(w, "reach", 0,
                             "%s of %llu used block%s are not in the core: pointers in them are unknown, and they have no hash or type hint",
                             units_format_bytes(b, s->unknown.block_bytes), (unsigned long long)s->unknown.blocks,
                             s->unknown.blocks == 1 ? "" : "s");
        if (s->refs_capped)
                warnings_add(w, "reach", 0,
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
static int scan_blocks(const struct analysis *a, struct reach_result *out, struct chunk *chunks, struct scan *s,
                       const struct reach_index *ix)
{
        _cleanup_(type_hints_free) struct type_hints th = { 0 };
        _cleanup_(progress_end) struct progress p;
        struct hash_job job = { .core = &a->core, .ix = ix, .chunks = chunks };
        /* Joined before anything it reads is freed, on every return. */
        _cleanup_(hash_thread_join) struct hash_thread hasher = { 0 };
        struct core_span hash_cur = { 0 };
        int r;

        progress_begin(&p, "reach", ix->n, false, a->opt.quiet);
        if ((r = type_hints_init(&th, a, out)) < 0)
                return r;
        r = pthread_create(&hasher.id, NULL, hash_blocks, &job);
        if (r != 0)
                log_debug("cannot start the hashing thread (%s): the scan hashes", strerror(r));
        hasher.running = r == 0;
        for (size_t u = 0; u < ix->n; u++) {
                const uint8_t *bytes;
                if ((r = reach_scan_block(s, u, &bytes)) < 0)
                        return r;
                struct chunk *c = &chunks[ix->area[u].chunk];
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

/*
 * The stage over a's earlier results, read only; it writes out, the
 * warnings and its own fields of the heap's chunks (hash, type_id, leak),
 * which chunks is: the heap stage's array.
 */
static int compute(const struct analysis *a, struct reach_result *out, struct chunk *chunks, struct warnings *w)
{
        _cleanup_(reach_index_free) struct reach_index ix = { 0 };
        _cleanup_(reach_roots_free) struct root_set roots = { 0 };
        _cleanup_(reach_scan_free) struct scan s = { 0 };
        int r;

        /* Chunks come as the heap walker leaves them: no hash, no type, no verdict. */
        if (a->heap.nchunks == 0)
                return 0;

        if ((r = reach_index_build(&ix, chunks, a->heap.nchunks, w)) < 0 ||
            (r = reach_roots_collect(a, &roots)) < 0)
                return log_error_errno(r, "cannot analyze '%s': reachability: %m", a->opt.core_path);

        s = (struct scan){ .core = &a->core, .ix = &ix, .segments = a->segments.v, .chunks = chunks,
                           .max_refs = REFS_MAX };
        if ((r = reach_scan_registers(&s, a->threads.v, a->threads.n)) < 0)
                return log_error_errno(r, "cannot analyze '%s': reachability: %m", a->opt.core_path);
        for (size_t i = 0; i < roots.n; i++)
                if ((r = reach_scan_root(&s, &roots.v[i])) < 0)
                        return log_error_errno(r, "cannot analyze '%s': reachability: %m", a->opt.core_path);
        if ((r = scan_blocks(a, out, chunks, &s, &ix)) < 0 || (r = reach_scan_flush(&s)) < 0)
                return log_error_errno(r, "cannot analyze '%s': reachability: %m", a->opt.core_path);
        report_unknown(w, &s);

        /* The refs are kept for the database; give back what the doubling over-allocated. */
        struct ref *fit = s.nrefs ? realloc(s.refs, s.nrefs * sizeof(*fit)) : NULL;
        out->refs = fit ? fit : s.refs;
        out->nrefs = s.nrefs;
        s.refs = NULL;
        if (!out->nrefs) {
                free(out->refs);
                out->refs = NULL;
        }

        if ((r = reach_verdict(chunks, a->heap.nchunks, out->refs, out->nrefs)) < 0)
                return log_error_errno(r, "cannot analyze '%s': leak verdicts: %m", a->opt.core_path);

        /* Used chunks the index refused (overlapping, empty) are nobody's target: no verdict for them. */
        for (size_t k = 0; k < ix.nrefused; k++)
                chunks[ix.refused[k]].leak = LEAK_NONE;

        log_debug("reach: %zu root ranges, %zu used blocks, %zu refs", roots.n, ix.n, out->nrefs);
        return 0;
}

int reach_compute(struct analysis *a)
{
        return compute(a, &a->reach, a->heap.chunks, &a->warnings);
}

void reach_reset(struct analysis *a)
{
        struct reach_result *r = &a->reach;
        free(r->refs);
        for (size_t i = 0; i < r->ntypes; i++)
                free(r->types[i]);
        free(r->types);
        *r = (struct reach_result){ 0 };
        /* What the stage wrote into the heap's chunks, as glibc_chunks_add leaves it. */
        for (size_t i = 0; i < a->heap.nchunks; i++) {
                a->heap.chunks[i].hash = 0;
                a->heap.chunks[i].type_id = NO_ID;
                a->heap.chunks[i].leak = LEAK_NONE;
        }
}

uint64_t reach_ref_from_address(const struct ref *x)
{
        return x->root_kind == ROOT_REGISTER ? 0 : x->from;
}

static uint32_t offset32(uint64_t v)
{
        return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

uint32_t reach_ref_from_offset(const struct analysis *a, const struct ref *x)
{
        if (x->root_kind == ROOT_REGISTER)
                return offset32(x->from);
        if (x->from_chunk >= 0 && (size_t)x->from_chunk < a->heap.nchunks) {
                uint64_t mem = chunk_mem(&a->heap.chunks[x->from_chunk]);
                return x->from >= mem ? offset32(x->from - mem) : 0;
        }
        size_t i = segment_index_from(a->segments.v, a->segments.n, x->from);
        return i < a->segments.n && a->segments.v[i].start <= x->from ? offset32(x->from - a->segments.v[i].start) : 0;
}
