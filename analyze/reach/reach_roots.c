/*
 * The root set: the memory a program reaches without following a heap
 * pointer, which is where leak checking starts.
 *
 *   stack   each thread's stack from its SP (less the x86-64 red zone) to
 *           the end of its mapping; the dead area below SP is not scanned
 *   tls     within those ranges and elsewhere, the words of a thread's
 *           static TLS block (below fs_base) and its TCB (above it); for
 *           threads other than the main one they lie at the top of the
 *           thread's stack mapping, for the main thread in ld.so's memory
 *   static  data, bss and RELRO (read-only after relocation) of modules
 *   anon    anonymous and shared mappings, and writable file mappings, that
 *           are not malloc heaps: custom pools and tables hold heap pointers
 *
 * Malloc heaps are never roots (a block is scanned only as a block, or a
 * leaked block would keep its own children reachable), and neither is any
 * byte a chunk covers.  But a mapping the heap walker calls a heap because
 * it holds mmapped chunks (no arena) is scanned outside them: the kernel
 * merges adjacent anonymous mappings into one, and the main thread's TLS,
 * which ld.so mmaps at startup, often ends up in the same one as the first
 * mmapped chunks.  Registers are roots too; reach_scan.c reads them.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "reach.h"

#define ELF_PHDRS_MAX 4096 /* more program headers than any linker writes */
/* When no ELF header in the core tells the modules' PT_TLS sizes. */
#define TLS_MODULES_FALLBACK 4096

void reach_roots_free(struct root_set *r)
{
        free(r->v);
        *r = (struct root_set){ 0 };
}

static int push(struct root_set *r, uint64_t start, uint64_t end, int32_t segment, int32_t tid, uint8_t kind)
{
        start = ALIGN_UP(start, 8);
        end = ALIGN_DOWN(end, 8);
        if (start >= end)
                return 0;
        if (ARRAY_RESERVE(r->v, r->cap, r->n + 1) < 0)
                return -ENOMEM;
        r->v[r->n++] = (struct root_range){ .start = start, .end = end, .segment = segment, .tid = tid, .kind = kind };
        return 0;
}

/* A module's PT_TLS block size, from the ELF header the core holds at the start of its first mapping. */
static uint64_t elf_tls_size(const struct core *c, uint64_t base)
{
        Elf64_Ehdr eh;
        if (!core_read(c, base, &eh, sizeof(eh)) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
            eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > ELF_PHDRS_MAX ||
            eh.e_phoff > (1u << 20))
                return 0;
        for (unsigned i = 0; i < eh.e_phnum; i++) {
                Elf64_Phdr ph;
                if (!core_read(c, base + eh.e_phoff + (uint64_t)i * sizeof(ph), &ph, sizeof(ph)))
                        return 0;
                if (ph.p_type == PT_TLS) {
                        uint64_t align = ph.p_align && !(ph.p_align & (ph.p_align - 1)) ? ph.p_align : 1;
                        if (ph.p_memsz > (1ull << 32))
                                return 0;
                        return ALIGN_UP(ph.p_memsz, align);
                }
        }
        return 0;
}

/*
 * The static TLS window below a thread pointer: the modules' PT_TLS blocks
 * plus glibc's surplus.
 */
static uint64_t reach_tls_below(const struct analysis *a)
{
        uint64_t sum = 0;
        bool seen_elf = false;

        /* Every module's first mapping (file offset 0) starts with its ELF header. */
        for (size_t i = 0; i < a->segments.n; i++) {
                const struct segment *s = &a->segments.v[i];
                if (!s->path || s->path[0] == '[' || s->offset != 0)
                        continue;
                if (s->kind != SEG_TEXT && s->kind != SEG_RODATA && s->kind != SEG_DATA)
                        continue;
                Elf64_Ehdr eh;
                if (core_read(&a->core, s->start, &eh, sizeof(eh)) && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0)
                        seen_elf = true;
                sum += elf_tls_size(&a->core, s->start);
        }
        return (seen_elf ? sum : TLS_MODULES_FALLBACK) + TLS_STATIC_SURPLUS;
}

struct tls_range {
        uint64_t start, end;
        int32_t tid;
};

static int tls_cmp(const void *x, const void *y)
{
        const struct tls_range *a = x, *b = y;
        return a->start < b->start ? -1 : a->start > b->start;
}

/*
 * glibc places a non-main thread's TCB (struct pthread) at the very top of
 * its stack mapping, so end - fs_base shows the TCB size of this glibc.
 */
static uint64_t tcb_size(const struct analysis *a)
{
        uint64_t best = 0;
        for (size_t t = 0; t < a->threads.n; t++) {
                const struct thread *th = &a->threads.v[t];
                int stack = analysis_thread_stack(a, t);
                if (stack < 0 || (size_t)stack >= a->segments.n)
                        continue;
                const struct segment *s = &a->segments.v[stack];
                if (th->fs_base > th->sp && th->fs_base < s->end && s->end - th->fs_base < (64u << 10))
                        best = MAX(best, s->end - th->fs_base);
        }
        return best ? best : TLS_TCB_DEFAULT;
}

static int tls_ranges(const struct analysis *a, struct tls_range **out, size_t *n)
{
        uint64_t below = reach_tls_below(a), above = tcb_size(a);
        struct tls_range *v = calloc(a->threads.n ? a->threads.n : 1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        size_t k = 0;
        for (size_t t = 0; t < a->threads.n; t++) {
                uint64_t fs = a->threads.v[t].fs_base;
                if (fs < below || fs + above < fs)
                        continue;
                v[k++] = (struct tls_range){ .start = fs - below, .end = fs + above, .tid = a->threads.v[t].tid };
        }
        qsort_safe(v, k, sizeof(*v), tls_cmp);
        /* Threads' windows cannot overlap in a sane process; if they do, the earlier one keeps the bytes. */
        for (size_t i = 1; i < k; i++)
                if (v[i].start < v[i - 1].end)
                        v[i].start = MIN(v[i - 1].end, v[i].end);
        *out = v;
        *n = k;
        return 0;
}

/* Adds [start, end) of one segment, with the parts in a thread's TLS window labelled tls. */
static int push_labelled(struct root_set *r, const struct tls_range *tls, size_t ntls, uint64_t start, uint64_t end,
                         int32_t segment, int32_t tid, uint8_t kind)
{
        size_t l = 0, h = ntls;
        while (l < h) {
                size_t m = l + (h - l) / 2;
                if (tls[m].end <= start)
                        l = m + 1;
                else
                        h = m;
        }
        uint64_t pos = start;
        int r2;
        for (size_t i = l; i < ntls && tls[i].start < end; i++) {
                if (tls[i].start >= tls[i].end)
                        continue;
                if (pos < tls[i].start && (r2 = push(r, pos, tls[i].start, segment, tid, kind)) < 0)
                        return r2;
                uint64_t s = MAX(pos, tls[i].start), e = MIN(end, tls[i].end);
                if (s < e && (r2 = push(r, s, e, segment, tls[i].tid, ROOT_TLS)) < 0)
                        return r2;
                pos = MAX(pos, e);
        }
        return pos < end ? push(r, pos, end, segment, tid, kind) : 0;
}

/* The first chunk that may overlap addr: chunks are sorted and disjoint. */
static size_t first_chunk_from(const struct chunk *chunks, size_t n, uint64_t addr)
{
        size_t l = 0, h = n;
        while (l < h) {
                size_t m = l + (h - l) / 2;
                if (chunks[m].address < addr)
                        l = m + 1;
                else
                        h = m;
        }
        if (l > 0 && chunks[l - 1].address + chunks[l - 1].size > addr)
                l--;
        return l;
}

/* Adds [start, end) less every byte a chunk covers. */
static int push_outside_chunks(const struct analysis *a, struct root_set *r, const struct tls_range *tls, size_t ntls,
                               uint64_t start, uint64_t end, int32_t segment, int32_t tid, uint8_t kind)
{
        uint64_t pos = start;
        int rc;
        for (size_t i = first_chunk_from(a->heap.chunks, a->heap.nchunks, start); i < a->heap.nchunks && a->heap.chunks[i].address < end;
             i++) {
                const struct chunk *c = &a->heap.chunks[i];
                uint64_t c_end = c->address + c->size < c->address ? UINT64_MAX : c->address + c->size;
                if (pos < c->address && (rc = push_labelled(r, tls, ntls, pos, c->address, segment, tid, kind)) < 0)
                        return rc;
                pos = MAX(pos, c_end);
        }
        return pos < end ? push_labelled(r, tls, ntls, pos, end, segment, tid, kind) : 0;
}

/* The root kind a segment is scanned as, or ROOT_NONE. */
static uint8_t segment_root_kind(const struct segment *s)
{
        switch (s->kind) {
        case SEG_DATA:
        case SEG_BSS:
        case SEG_RODATA: /* RELRO: .data.rel.ro and the GOT hold pointers written at load time */
                return ROOT_STATIC;
        case SEG_ANON:
        case SEG_SHM:
                return ROOT_ANON;
        case SEG_HEAP: /* arena heaps are all malloc's; mmapped chunks' mappings may hold more */
                return s->arena_id == NO_ID ? ROOT_ANON : ROOT_NONE;
        case SEG_FILE:
                return s->perms[1] == 'w' ? ROOT_ANON : ROOT_NONE;
        case SEG_STACK:
        case SEG_THREAD_STACK:
                return ROOT_STACK;
        default: /* text, vdso, vvar, vsyscall, guard */
                return ROOT_NONE;
        }
}

/* Where a thread's live stack starts: its SP less the red zone, within its mapping. */
static uint64_t live_stack_start(const struct thread *th, const struct segment *s)
{
        return th->sp >= s->start + STACK_RED_ZONE ? th->sp - STACK_RED_ZONE : s->start;
}

/*
 * For each stack segment, the thread (index + 1, 0 for none) with the
 * lowest live stack start in it: one pass over the threads, not one per
 * stack, so tens of thousands of threads stay linear.
 */
static int stack_owners(const struct analysis *a, size_t **out)
{
        size_t *owner = calloc(a->segments.n ? a->segments.n : 1, sizeof(*owner));
        if (!owner)
                return -ENOMEM;
        for (size_t t = 0; t < a->threads.n; t++) {
                const struct thread *th = &a->threads.v[t];
                int stack = analysis_thread_stack(a, t);
                if (stack < 0 || (size_t)stack >= a->segments.n)
                        continue;
                const struct segment *s = &a->segments.v[stack];
                size_t *o = &owner[stack];
                if (!*o || live_stack_start(th, s) < live_stack_start(&a->threads.v[*o - 1], s))
                        *o = t + 1;
        }
        *out = owner;
        return 0;
}

int reach_roots_collect(const struct analysis *a, struct root_set *out)
{
        _cleanup_free_ struct tls_range *tls = NULL;
        _cleanup_free_ size_t *owner = NULL;
        size_t ntls = 0;
        int r;

        *out = (struct root_set){ 0 };
        if ((r = tls_ranges(a, &tls, &ntls)) < 0 || (r = stack_owners(a, &owner)) < 0)
                return r;

        for (size_t i = 0; i < a->segments.n; i++) {
                const struct segment *s = &a->segments.v[i];
                uint8_t kind = segment_root_kind(s);
                uint64_t start = s->start;
                int32_t tid = 0;

                if (kind == ROOT_NONE)
                        continue;
                if (kind == ROOT_STACK) {
                        /* From the lowest SP of the threads on this stack: below it is dead. */
                        if (owner[i]) {
                                const struct thread *th = &a->threads.v[owner[i] - 1];
                                start = live_stack_start(th, s);
                                tid = th->tid;
                        } else {
                                kind = ROOT_ANON; /* a stack no thread runs on: scanned whole, like any mapping */
                        }
                }
                if ((r = push_outside_chunks(a, out, tls, ntls, start, s->end, (int32_t)i, tid, kind)) < 0) {
                        reach_roots_free(out);
                        return r;
                }
        }
        return 0;
}
