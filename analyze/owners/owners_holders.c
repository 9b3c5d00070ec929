/*
 * Root holders: the root refs of the reach stage grouped by what a person
 * names as holding them.
 *
 *   static    all slots of one object symbol (the module's symbol table,
 *             through libdwfl); slots in no symbol, one holder per segment
 *   stack     all slots of one thread's stack in one frame's area: frame k
 *             holds [sp_k, sp_k+1), the outermost frame up to the
 *             mapping's end; slots below the innermost sp (the x86-64 red
 *             zone) or in a thread whose frames carry no sp: no frame
 *   register  one register of one thread
 *   tls       one thread's static TLS, per module whose TLS block holds
 *             the slot (NO_ID for the TCB and the surplus)
 *   anon      one anonymous mapping
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "owners.h"

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"

/* The names of user_regs_struct's fields (sys/user.h, NT_PRSTATUS pr_reg), in order, as gdb spells them. */
static const char *const reg_names[] = {
        "r15",    "r14", "r13", "r12",     "rbp",     "rbx",      "r11", "r10", "r9", "r8", /* 0-72 */
        "rax",    "rcx", "rdx", "rsi",     "rdi",     "orig_rax", "rip", "cs",              /* 80-136 */
        "eflags", "rsp", "ss",  "fs_base", "gs_base", "ds",       "es",  "fs",  "gs",       /* 144-208 */
};

/* One root slot, with the holder it belongs to as a sortable key. */
struct slot {
        uint8_t kind;
        int32_t tid;
        int32_t module_id;
        int32_t segment_id; /* of the key: NO_ID for symbols (their segment is not part of what they are) */
        int32_t frame;      /* stack: depth, or -1 */
        uint64_t key;       /* static: the symbol's start; register: the offset */
        uint64_t from;      /* where the slot is */
        int32_t where;      /* the segment the slot is in */
        uint32_t ref;
        uint32_t index; /* its entry in owners.root_refs */
        const char *symbol;
};

static int cmp_i64(int64_t a, int64_t b)
{
        return a < b ? -1 : a > b;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
        return a < b ? -1 : a > b;
}

static int slot_cmp(const void *x, const void *y)
{
        const struct slot *a = x, *b = y;
        int r;
        if ((r = cmp_i64(a->kind, b->kind)) || (r = cmp_i64(a->tid, b->tid)) ||
            (r = cmp_i64(a->module_id, b->module_id)) || (r = cmp_i64(a->segment_id, b->segment_id)) ||
            (r = cmp_i64(a->frame, b->frame)) || (r = cmp_u64(a->key, b->key)))
                return r;
        return cmp_u64(a->from, b->from);
}

static bool same_holder(const struct slot *a, const struct slot *b)
{
        return a->kind == b->kind && a->tid == b->tid && a->module_id == b->module_id &&
               a->segment_id == b->segment_id && a->frame == b->frame && a->key == b->key;
}

/* A module's TLS block in every thread's static TLS: [tp - off, tp - off + size). */
struct tls_block {
        int32_t module_id;
        uint64_t off, size;
        uint64_t align, firstbyte; /* p_align, and -p_vaddr & (align - 1) as glibc's l_tls_firstbyte_offset gives it */
};

static int module_start_desc(const void *x, const void *y, void *arg)
{
        const struct module *m = arg;
        const struct tls_block *a = x, *b = y;
        uint64_t sa = m[a->module_id].start, sb = m[b->module_id].start;
        return sa > sb ? -1 : sa < sb;
}

/*
 * The modules' static TLS blocks as ld.so lays them out below the thread
 * pointer on x86-64 (glibc elf/dl-tls.c, _dl_determine_tlsoffset, TLS_TCB_AT_TP):
 * in module id order, each at roundup(previous + size - firstbyte, align) +
 * firstbyte.  The main program is always module 1; the libraries loaded at
 * startup are taken in their load order, which mmap's top-down placement
 * makes descending load address.
 */
static int tls_layout(const struct analysis *a, struct tls_block **out, size_t *n)
{
        struct tls_block *v = calloc(a->modules.n ? a->modules.n : 1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        size_t k = 0;
        for (size_t m = 0; m < a->modules.n; m++) {
                const struct module *mod = &a->modules.v[m];
                for (size_t p = 0; mod->phdrs && p < mod->nphdrs; p++) {
                        const Elf64_Phdr *ph = &mod->phdrs[p];
                        if (ph->p_type != PT_TLS || ph->p_memsz == 0 || ph->p_memsz > (1ull << 32))
                                continue;
                        uint64_t align = ph->p_align && !(ph->p_align & (ph->p_align - 1)) ? ph->p_align : 1;
                        v[k] = (struct tls_block){ .module_id = (int32_t)m,
                                                   .size = ph->p_memsz,
                                                   .align = align,
                                                   .firstbyte = -ph->p_vaddr & (align - 1) };
                        /* The main program first. */
                        if (mod->is_main && k > 0) {
                                struct tls_block t = v[k];
                                memmove(&v[1], &v[0], k * sizeof(*v));
                                v[0] = t;
                        }
                        k++;
                        break;
                }
        }
        size_t first = k && a->modules.v[v[0].module_id].is_main ? 1 : 0;
        if (k > first)
                qsort_r(&v[first], k - first, sizeof(*v), module_start_desc, a->modules.v);
        uint64_t offset = 0;
        for (size_t i = 0; i < k; i++) {
                offset = ALIGN_UP(offset + v[i].size - v[i].firstbyte, v[i].align) + v[i].firstbyte;
                v[i].off = offset;
        }
        *out = v;
        *n = k;
        return 0;
}

static int32_t tls_module(const struct tls_block *v, size_t n, uint64_t fs_base, uint64_t slot)
{
        for (size_t i = 0; i < n; i++)
                if (v[i].off <= fs_base && slot >= fs_base - v[i].off && slot - (fs_base - v[i].off) < v[i].size)
                        return v[i].module_id;
        return NO_ID;
}

/* The threads by tid, for lookups; and each thread's frames in depth order. */
struct thread_index {
        const struct analysis *a;
        size_t *by_tid; /* indexes into threads.v, sorted by tid */
        size_t *frames; /* indexes into threads.frames, by tid then depth */
        size_t *first;  /* per thread (threads.v index): its first entry in frames; nframes after */
        size_t *count;
};

static const struct analysis *sort_analysis; /* qsort's comparators read it; the stage runs on one thread */

static int by_tid_cmp(const void *x, const void *y)
{
        int a = sort_analysis->threads.v[*(const size_t *)x].tid, b = sort_analysis->threads.v[*(const size_t *)y].tid;
        return a < b ? -1 : a > b;
}

static int frame_cmp(const void *x, const void *y)
{
        const struct frame *a = &sort_analysis->threads.frames[*(const size_t *)x];
        const struct frame *b = &sort_analysis->threads.frames[*(const size_t *)y];
        if (a->tid != b->tid)
                return a->tid < b->tid ? -1 : 1;
        return a->depth < b->depth ? -1 : a->depth > b->depth;
}

static void thread_index_free(struct thread_index *t)
{
        free(t->by_tid);
        free(t->frames);
        free(t->first);
        free(t->count);
}

static int thread_index_build(const struct analysis *a, struct thread_index *t)
{
        size_t nt = a->threads.n ? a->threads.n : 1, nf = a->threads.nframes ? a->threads.nframes : 1;
        *t = (struct thread_index){ .a = a,
                                    .by_tid = calloc(nt, sizeof(size_t)),
                                    .frames = calloc(nf, sizeof(size_t)),
                                    .first = calloc(nt, sizeof(size_t)),
                                    .count = calloc(nt, sizeof(size_t)) };
        if (!t->by_tid || !t->frames || !t->first || !t->count)
                return -ENOMEM;
        sort_analysis = a;
        for (size_t i = 0; i < a->threads.n; i++)
                t->by_tid[i] = i;
        qsort_safe(t->by_tid, a->threads.n, sizeof(size_t), by_tid_cmp);
        for (size_t i = 0; i < a->threads.nframes; i++)
                t->frames[i] = i;
        qsort_safe(t->frames, a->threads.nframes, sizeof(size_t), frame_cmp);
        /* Each thread's run of frames. */
        size_t j = 0;
        for (size_t k = 0; k < a->threads.n; k++) {
                size_t th = t->by_tid[k];
                int tid = a->threads.v[th].tid;
                while (j < a->threads.nframes && a->threads.frames[t->frames[j]].tid < tid)
                        j++;
                t->first[th] = j;
                while (j < a->threads.nframes && a->threads.frames[t->frames[j]].tid == tid)
                        j++;
                t->count[th] = j - t->first[th];
        }
        return 0;
}

/* The index into threads.v of tid, or -1. */
static long thread_of(const struct thread_index *t, int tid)
{
        size_t l = 0, h = t->a->threads.n;
        while (l < h) {
                size_t m = l + (h - l) / 2;
                int x = t->a->threads.v[t->by_tid[m]].tid;
                if (x == tid)
                        return (long)t->by_tid[m];
                if (x < tid)
                        l = m + 1;
                else
                        h = m;
        }
        return -1;
}

/*
 * The frame (index into threads.frames) whose stack area holds slot, or -1:
 * below the innermost sp, or a thread whose frames do not know their sp, or
 * past the last frame of a thread whose unwinding stopped early.
 */
static long frame_of(const struct thread_index *t, long th, uint64_t slot)
{
        if (th < 0)
                return -1;
        const struct analysis *a = t->a;
        long best = -1;
        for (size_t k = 0; k < t->count[th]; k++) {
                const struct frame *f = &a->threads.frames[t->frames[t->first[th] + k]];
                if (f->sp == 0)
                        return -1;
                if (f->sp > slot)
                        break;
                best = (long)(t->first[th] + k);
        }
        if (best >= 0 && (size_t)best == t->first[th] + t->count[th] - 1 && a->threads.v[th].unwind_stop)
                return -1;
        return best >= 0 ? (long)t->frames[best] : -1;
}

static const char *base_name(const char *path)
{
        const char *s = path ? strrchr(path, '/') : NULL;
        return s ? s + 1 : path ? path : "?";
}

/* Names holder h, made from its slots s[0..n) (sorted by address within). */
static int name_holder(const struct analysis *a, struct root_holder *h, const struct slot *s)
{
        const char *mod = h->module_id >= 0 ? base_name(a->modules.v[h->module_id].path) : NULL;
        const struct segment *seg = h->segment_id >= 0 ? &a->segments.v[h->segment_id] : NULL;
        int r = -1;
        switch (h->kind) {
        case ROOT_STATIC:
                if (h->symbol)
                        r = asprintf(&h->name, "static %s in %s", h->symbol, mod ? mod : "?");
                else if (mod)
                        r = asprintf(&h->name, "static %s+0x%" PRIx64 " (no symbol)", mod,
                                     s->from - a->modules.v[h->module_id].start);
                else
                        r = asprintf(&h->name, "static data at 0x%" PRIx64 " (no module)", s->from);
                break;
        case ROOT_STACK:
                if (h->frame_depth >= 0)
                        r = asprintf(&h->name, "thread %d frame #%d %s", h->tid, h->frame_depth,
                                     h->function ? h->function : "??");
                else
                        r = asprintf(&h->name, "thread %d stack outside any known frame", h->tid);
                break;
        case ROOT_REGISTER: r = asprintf(&h->name, "thread %d register %s", h->tid, h->reg); break;
        case ROOT_TLS:
                if (mod)
                        r = asprintf(&h->name, "TLS of thread %d in %s", h->tid, mod);
                else
                        r = asprintf(&h->name, "TLS of thread %d (TCB or surplus)", h->tid);
                break;
        default:
                if (seg)
                        r = asprintf(&h->name, "anonymous mapping 0x%" PRIx64 "-0x%" PRIx64, seg->start, seg->end);
                else
                        r = asprintf(&h->name, "anonymous memory at 0x%" PRIx64, s->from);
                break;
        }
        if (r < 0) {
                h->name = NULL;
                return -ENOMEM;
        }
        return 0;
}

/* Fills s with ref x's slot and holder key. */
static int slot_of(const struct analysis *a, const struct thread_index *ti, struct owners_symbols *syms,
                   const struct tls_block *tls, size_t ntls, const struct ref *x, uint32_t ref, struct slot *s)
{
        *s = (struct slot){ .kind = x->root_kind,
                            .tid = (int32_t)x->tid,
                            .module_id = NO_ID,
                            .segment_id = NO_ID,
                            .frame = -1,
                            .from = x->from,
                            .where = NO_ID,
                            .ref = ref };
        if (x->root_kind != ROOT_REGISTER) {
                size_t i = segment_index_from(a->segments.v, a->segments.n, x->from);
                if (i < a->segments.n && a->segments.v[i].start <= x->from)
                        s->where = (int32_t)i;
        }
        switch (x->root_kind) {
        case ROOT_REGISTER: s->key = x->from; break;
        case ROOT_STACK: {
                long f = frame_of(ti, thread_of(ti, s->tid), x->from);
                s->frame = f >= 0 ? a->threads.frames[f].depth : -1;
                break;
        }
        case ROOT_TLS: {
                long th = thread_of(ti, s->tid);
                if (th >= 0)
                        s->module_id = tls_module(tls, ntls, a->threads.v[th].fs_base, x->from);
                break;
        }
        case ROOT_STATIC: {
                s->module_id = s->where >= 0 ? a->segments.v[s->where].module_id : NO_ID;
                int e;
                const struct owners_symbol *sym = owners_symbols_find(syms, a, s->module_id, x->from, &e);
                if (e < 0)
                        return e;
                if (sym) {
                        s->key = sym->start;
                        s->symbol = sym->name;
                } else {
                        s->segment_id = s->where;
                }
                break;
        }
        default: s->segment_id = s->where; break;
        }
        return 0;
}

/* The holder of the slots s[0..n), all of one holder, sorted by address. */
static int holder_make(const struct analysis *a, const struct thread_index *ti, const struct slot *s,
                       struct root_holder *h, struct warnings *w)
{
        *h = (struct root_holder){
                .kind = s->kind, .tid = s->tid, .module_id = s->module_id, .segment_id = s->where, .frame_depth = -1
        };
        switch (s->kind) {
        case ROOT_REGISTER: {
                size_t k = s->from / 8;
                h->reg = s->from % 8 == 0 && k < sizeof(reg_names) / sizeof(*reg_names) ? reg_names[k] : "?";
                if (*h->reg == '?')
                        warnings_add(w, "owners", 0,
                                     "thread %d: a register root at offset %" PRIu64
                                     " of user_regs_struct, which has no register there",
                                     s->tid, s->from);
                h->segment_id = NO_ID;
                /* Only the thread a signal interrupted has registers known to be in use at that instruction. */
                long th = thread_of(ti, s->tid);
                h->conservative = th < 0 || a->threads.v[th].signal == 0;
                break;
        }
        case ROOT_STACK: {
                h->frame_depth = s->frame;
                h->conservative = s->frame < 0;
                long th = thread_of(ti, s->tid);
                for (size_t k = 0; th >= 0 && s->frame >= 0 && k < ti->count[th]; k++) {
                        const struct frame *f = &a->threads.frames[ti->frames[ti->first[th] + k]];
                        if (f->depth == s->frame)
                                h->function = f->function;
                }
                break;
        }
        case ROOT_STATIC:
                if (s->symbol) {
                        if (!(h->symbol = strdup(s->symbol)))
                                return -ENOMEM;
                        h->symbol_offset = s->from - s->key;
                } else {
                        /* Normal for a stripped module (private data has no symbols): named by module and offset. */
                        log_debug("owners: root slots at 0x%" PRIx64 " in %s are in no object symbol", s->from,
                                  s->module_id >= 0 ? base_name(a->modules.v[s->module_id].path) : "no module");
                }
                break;
        default: break;
        }
        return name_holder(a, h, s);
}

int owners_holders_build(const struct analysis *a, struct owners_result *out, struct warnings *w)
{
        _cleanup_free_ struct slot *slots = NULL;
        _cleanup_free_ struct tls_block *tls = NULL;
        _cleanup_(thread_index_free) struct thread_index ti = { 0 };
        _cleanup_(owners_symbols_free) struct owners_symbols syms = { 0 };
        size_t ntls = 0, n = 0;
        int r;

        for (size_t k = 0; k < a->reach.nrefs; k++)
                n += a->reach.refs[k].from_chunk == NO_ID;
        if (n == 0)
                return 0;
        /* Filled in ref order, as the slots are taken, so owners_ref_holder can bisect it. */
        if (!(out->root_refs = malloc(n * sizeof(*out->root_refs))))
                return -ENOMEM;
        out->nroot_refs = n;
        if (!(slots = malloc(n * sizeof(*slots))) || (r = thread_index_build(a, &ti)) < 0 ||
            (r = owners_symbols_init(&syms, a->modules.n)) < 0 || (r = tls_layout(a, &tls, &ntls)) < 0)
                return -ENOMEM;

        size_t k = 0;
        for (size_t i = 0; i < a->reach.nrefs; i++)
                if (a->reach.refs[i].from_chunk == NO_ID) {
                        out->root_refs[k] = (struct owners_root_ref){ .ref = (uint32_t)i, .holder = NO_ID };
                        if ((r = slot_of(a, &ti, &syms, tls, ntls, &a->reach.refs[i], (uint32_t)i, &slots[k])) < 0)
                                return r;
                        slots[k].index = (uint32_t)k;
                        k++;
                }
        qsort_safe(slots, n, sizeof(*slots), slot_cmp);

        size_t nh = 0;
        for (size_t i = 0; i < n; i++)
                nh += i == 0 || !same_holder(&slots[i - 1], &slots[i]);
        out->holders = calloc(nh, sizeof(*out->holders));
        if (!out->holders)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (i == 0 || !same_holder(&slots[i - 1], &slots[i])) {
                        if ((r = holder_make(a, &ti, &slots[i], &out->holders[out->nholders], w)) < 0) {
                                out->nholders++;
                                return r;
                        }
                        out->nholders++;
                }
                out->root_refs[slots[i].index].holder = (int32_t)(out->nholders - 1);
        }
        return 0;
}
