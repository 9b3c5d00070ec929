/*
 * Per-thread caches (glibc 2.26+): each thread's `tcache` TLS variable
 * points at its tcache_perthread_struct, a chunk in the thread's arena with
 * counts[] and entries[] per size.  Entries point at the user memory (mem)
 * of freed chunks, linked through their first word — safe-linked since
 * 2.32: stored = (&next >> 12) ^ next.  glibc calls these chunks in use
 * (mallinfo counts them so); they are free all the same, bin 'tcache'.
 *
 * The TLS variable's offset from the thread pointer is the same in every
 * thread, but unknown without ld.so's bookkeeping: each thread's static TLS
 * just below fs_base is searched for a pointer to a valid tcache struct,
 * and the offset most threads agree on is used for all of them.  The vote
 * is taken among the first threads that have a tcache, not all of them: a
 * core with tens of thousands of threads would otherwise cost a search of
 * 8192 words per thread, and the offset is one number.  A tcache
 * no thread points to (its thread exited while the struct leaked, or fs_base
 * is unknown) is still found at the first chunk of its arena, where a
 * thread's first malloc puts it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "addr_set.h"
#include "common/array.h"
#include "common/log.h"
#include "glibc_chunks.h"
#include "glibc_tcache.h"

#define TLS_WINDOW (64u << 10)      /* static TLS searched below fs_base */
#define TLS_VOTERS_ENOUGH 32        /* threads pointing at a tcache: enough to agree on the offset */
#define TLS_SEARCHED_MAX 1024       /* threads whose TLS is searched at most, tcache or not */
#define KEY_WARNINGS_MAX 8          /* per tcache */

/* A tcache_perthread_struct read from the core. */
struct tcache_view {
        uint64_t address;           /* of the struct: the chunk's mem */
        ssize_t chunk;              /* its chunk's index */
        uint32_t count[GLIBC_TCACHE_BINS_MAX]; /* entries each bin should hold */
        uint64_t entry[GLIBC_TCACHE_BINS_MAX];
};

static uint64_t count_limit(const struct heap_ctx *h)
{
        const struct malloc_par_info *mp = &h->out->malloc_par;
        if (mp->found)
                return mp->tcache_count;
        return h->layout.tcache_count_bytes == 1 ? 127 : 65535; /* MAX_TCACHE_COUNT */
}

/*
 * Reads the struct at t; false when it is not a tcache.  Strict, for
 * finding tcaches, also requires every count to fit mp_.tcache_count and
 * to agree with its list being empty or not; the thread's own TLS slot is
 * read leniently, and what does not fit becomes warnings of the walk.
 */
static bool tcache_read(struct heap_ctx *h, uint64_t t, struct tcache_view *v, bool strict)
{
        const struct glibc_layout *l = &h->layout;

        if (!t || (t & (GLIBC_MALLOC_ALIGNMENT - 1)))
                return false;
        /*
         * tcache_init takes the struct with _int_malloc, which hands out a
         * free chunk whole when the rest would be under MINSIZE (malloc.c:
         * "Exhaust" / remainder_size < MINSIZE): a thread whose arena already
         * had free chunks (arena_max reached, or one arena) can get 16 bytes more.
         */
        const uint64_t want = glibc_layout_tcache_chunk_size(l);
        ssize_t k = glibc_chunk_find(h->out, t - GLIBC_CHUNK_HDR_SZ);
        if (k < 0 || h->out->chunks[k].size < want || h->out->chunks[k].size - want >= GLIBC_MINSIZE ||
            h->out->chunks[k].mmapped || h->out->chunks[k].state != CHUNK_USED)
                return false;
        const uint8_t *buf = glibc_mem_ptr(&h->mem, t, (uint64_t)l->tc_size);
        if (!buf)
                return false;

        uint64_t limit = count_limit(h);
        v->address = t;
        v->chunk = k;
        for (unsigned i = 0; i < l->tcache_bins; i++) {
                uint32_t raw;
                if (l->tcache_count_bytes == 1) {
                        int8_t c;
                        memcpy(&c, buf + l->tc_counts + i, 1);
                        if (c < 0)
                                return false;
                        raw = (uint32_t)c;
                } else {
                        uint16_t c;
                        memcpy(&c, buf + l->tc_counts + 2 * i, 2);
                        raw = c;
                }
                if (raw > limit && strict)
                        return false;
                /* 2.42+ counts the room left (num_slots), which starts at tcache_count. */
                v->count[i] = l->tcache_counts_free_slots ? (uint32_t)(raw > limit ? 0 : limit - raw) : raw;
                memcpy(&v->entry[i], buf + l->tc_entries + 8 * i, 8);
                if (strict && ((v->entry[i] & (GLIBC_MALLOC_ALIGNMENT - 1)) || (v->entry[i] == 0) != (v->count[i] == 0)))
                        return false;
        }
        return true;
}

/* Follows every bin of the tcache and marks what it holds; returns the entries found. */
static unsigned tcache_walk(struct heap_ctx *h, const struct tcache_view *v, int tid)
{
        const struct glibc_layout *l = &h->layout;
        unsigned total = 0, key_warnings = 0;
        uint64_t key = l->tcache_key == GLIBC_TCACHE_KEY_PERTHREAD ? v->address : h->roots.tcache_key;
        char name[96];

        for (unsigned i = 0; i < l->tcache_bins; i++) {
                uint64_t e = v->entry[i], lo, hi;
                unsigned n = 0;
                glibc_layout_tcache_bin_sizes(i, &lo, &hi);
                if (tid)
                        snprintf(name, sizeof(name), "tcache bin %u of thread %d (0x%llx)", i, tid,
                                 (unsigned long long)v->address);
                else
                        snprintf(name, sizeof(name), "tcache bin %u of the tcache at 0x%llx", i,
                                 (unsigned long long)v->address);
                while (e) {
                        if (n > h->out->nchunks) {
                                warnings_add(h->w, "heap", e, "%s: longer than there are chunks; not followed past 0x%llx", name,
                                             (unsigned long long)e);
                                break;
                        }
                        if (e & (GLIBC_MALLOC_ALIGNMENT - 1)) {
                                warnings_add(h->w, "heap", e, "%s: misaligned entry 0x%llx; the list ends there", name,
                                             (unsigned long long)e);
                                break;
                        }
                        ssize_t k = glibc_chunk_find(h->out, e - GLIBC_CHUNK_HDR_SZ);
                        if (k < 0) {
                                warnings_add(h->w, "heap", e, "%s: entry 0x%llx is not a chunk of the heap walk; the list ends there",
                                             name, (unsigned long long)e);
                                break;
                        }
                        struct chunk *c = &h->out->chunks[k];
                        if (c->bin == BIN_TCACHE) {
                                warnings_add(h->w, "heap", e, "%s loops or shares chunk 0x%llx with another tcache list; the list ends there",
                                             name, (unsigned long long)c->address);
                                break;
                        }
                        if (c->size < lo || c->size > hi)
                                warnings_add(h->w, "heap", e, "%s holds chunk 0x%llx of size %llu, outside %llu..%llu", name,
                                             (unsigned long long)c->address, (unsigned long long)c->size,
                                             (unsigned long long)lo, (unsigned long long)hi);
                        uint64_t words[2];
                        if (!glibc_mem_u64(&h->mem, e, &words[0]) || !glibc_mem_u64(&h->mem, e + 8, &words[1])) {
                                warnings_add(h->w, "heap", e, "%s: entry 0x%llx is not in the core", name, (unsigned long long)e);
                                break;
                        }
                        if (l->tcache_key != GLIBC_TCACHE_KEY_NONE) {
                                if (!key)
                                        key = words[1]; /* tcache_key unknown: learn it from the first entry */
                                else if (words[1] != key && key_warnings++ < KEY_WARNINGS_MAX)
                                        warnings_add(h->w, "heap", e, "%s: entry 0x%llx has key 0x%llx, not the tcache key 0x%llx",
                                                     name, (unsigned long long)e, (unsigned long long)words[1],
                                                     (unsigned long long)key);
                        }
                        glibc_chunk_mark_free(h, (size_t)k, BIN_TCACHE, name);
                        n++;
                        e = l->safe_linking ? glibc_layout_reveal_ptr(e, words[0]) : words[0];
                }
                if (n != v->count[i])
                        warnings_add(h->w, "heap", v->entry[i] ? v->entry[i] : v->address,
                                     "%s: its count says %u entries, the list has %u", name, v->count[i], n);
                total += n;
        }
        if (!h->roots.tcache_key && l->tcache_key == GLIBC_TCACHE_KEY_RANDOM)
                h->roots.tcache_key = key;
        return total;
}

static int add_tcache(struct heap_ctx *h, struct addr_set *listed, const struct tcache_view *v, int tid,
                      const char *found_by)
{
        const struct analysis *a = h->a;
        if (ARRAY_RESERVE(h->out->tcaches, h->tcaches_cap, h->out->ntcaches + 1) < 0 || addr_set_add(listed, v->address) < 0)
                return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", a->opt.core_path);
        h->out->tcaches[h->out->ntcaches] = (struct tcache){
                .tid = tid, .address = v->address, .arena_id = h->out->chunks[v->chunk].arena_id, .found_by = found_by,
        };
        h->out->ntcaches++;
        h->out->tcaches[h->out->ntcaches - 1].entries = tcache_walk(h, v, tid);
        return 0;
}

struct vote {
        uint64_t offset;            /* fs_base - address of the TLS word */
        unsigned score;             /* 2 per thread where it points at a sound tcache, 1 at a damaged one */
};

/*
 * Finds the TLS offset of `tcache`: the one that points at a tcache in the
 * most threads.  A damaged tcache (counts that do not fit) still counts,
 * for less, so that a single thread's damaged tcache is found and its
 * damage reported rather than the tcache missed.
 */
static uint64_t tls_offset(struct heap_ctx *h)
{
        const struct analysis *a = h->a;
        struct vote votes[64];
        size_t nvotes = 0, searched = 0, voters = 0;

        for (size_t t = 0; t < a->threads.n && voters < TLS_VOTERS_ENOUGH && searched < TLS_SEARCHED_MAX; t++) {
                uint64_t fs = a->threads.v[t].fs_base;
                if (!fs || fs < 8)
                        continue;
                const struct core_segment *cs = core_segment_at(&a->core, fs - 8);
                if (!cs || fs - 8 - cs->vaddr >= cs->filesz)
                        continue;
                uint64_t lo = MAX(cs->vaddr, fs > TLS_WINDOW ? fs - TLS_WINDOW : 0);
                lo = ALIGN_UP(lo, 8);
                const uint8_t *buf = glibc_mem_ptr(&h->mem, lo, fs - lo);
                if (!buf)
                        continue;
                searched++;
                bool voted = false;
                for (uint64_t addr = fs - 8; addr >= lo && addr < fs; addr -= 8) {
                        uint64_t val;
                        memcpy(&val, buf + (addr - lo), 8);
                        struct tcache_view v;
                        if ((val & (GLIBC_MALLOC_ALIGNMENT - 1)) || !val || !tcache_read(h, val, &v, false))
                                continue;
                        unsigned points = tcache_read(h, val, &v, true) ? 2 : 1;
                        voted = true;
                        uint64_t off = fs - addr;
                        size_t k = 0;
                        while (k < nvotes && votes[k].offset != off)
                                k++;
                        if (k == nvotes) {
                                if (nvotes == ELEMENTSOF(votes))
                                        continue;
                                votes[nvotes++] = (struct vote){ off, 0 };
                        }
                        votes[k].score += points;
                }
                voters += voted;
        }
        uint64_t best = 0;
        unsigned most = 0;
        for (size_t k = 0; k < nvotes; k++)
                if (votes[k].score > most || (votes[k].score == most && votes[k].offset < best)) {
                        most = votes[k].score;
                        best = votes[k].offset;
                }
        return best;
}

int glibc_tcache_classify(struct heap_ctx *h)
{
        const struct analysis *a = h->a;
        _cleanup_(addr_set_free) struct addr_set listed = { 0 };
        int r;

        if (!h->layout.tcache || h->out->nchunks == 0)
                return 0;

        uint64_t off = tls_offset(h);
        if (off)
                log_debug("heap: the tcache TLS pointer is at fs_base - %llu", (unsigned long long)off);
        for (size_t t = 0; off && t < a->threads.n; t++) {
                const struct thread *th = &a->threads.v[t];
                uint64_t val;
                if (!th->fs_base || !core_read_u64(&a->core, th->fs_base - off, &val) || !val)
                        continue;
                struct tcache_view v;
                if (!tcache_read(h, val, &v, false)) {
                        warnings_add(h->w, "heap", val, "thread %d: its tcache pointer 0x%llx (at fs_base - %llu) is not a valid tcache; its entries are not listed",
                                     th->tid, (unsigned long long)val, (unsigned long long)off);
                        continue;
                }
                if (addr_set_contains(&listed, val)) {
                        warnings_add(h->w, "heap", val, "thread %d shares tcache 0x%llx with another thread", th->tid,
                                     (unsigned long long)val);
                        continue;
                }
                if ((r = add_tcache(h, &listed, &v, th->tid, "tls")) < 0)
                        return r;
        }

        /* A thread's first malloc makes its tcache, so an arena's first chunk is usually one. */
        for (size_t i = 0; i < h->nregions; i++) {
                const struct heap_region *reg = &h->regions[i];
                bool first = reg->heap_id == NO_ID ||
                             reg->start == ALIGN_UP(h->out->arenas[reg->arena_id].address + (uint64_t)h->layout.ms_size +
                                                            GLIBC_CHUNK_HDR_SZ,
                                                    (uint64_t)GLIBC_MALLOC_ALIGNMENT) -
                                                   GLIBC_CHUNK_HDR_SZ;
                uint64_t t = reg->start + GLIBC_CHUNK_HDR_SZ;
                struct tcache_view v;
                if (!first || reg->start == reg->top || addr_set_contains(&listed, t) || !tcache_read(h, t, &v, true))
                        continue;
                if ((r = add_tcache(h, &listed, &v, 0, "heap_start")) < 0)
                        return r;
        }
        return 0;
}
