/*
 * The `threads`, `frames` and `live_frames` tables.
 *
 * Threads are the core's NT_PRSTATUS notes, with names from the MEMSNAP
 * threads note (or, for the main thread only, NT_PRPSINFO's pr_fname: the
 * kernel and gdb keep no other thread's name).  Each thread is unwound from
 * its registers through libdwfl (dwfl_getthreads, dwfl_thread_getframes),
 * which reads CFI from the modules' files.  As elfutils' stack.c does, the
 * program counters are collected in the callback and symbolised afterwards;
 * a return address is looked up at pc - 1, inside the call, so a call at
 * the very end of a function does not name the next one.
 *
 * The thread callbacks are ours (dwfl_attach_state) rather than
 * dwfl_core_file_attach's, for two reasons.  libdwfl takes a return
 * address it cannot read for the end of the stack and reports success, so
 * a stack missing from the core would look complete; reading memory
 * ourselves, we see the read that failed and say where the stack stopped.
 * And reads go through core.c, which knows which bytes the core holds (a
 * PT_LOAD with p_filesz 0 holds none; libdwfl 0.188 reads the file past
 * it) and finds a segment by binary search instead of a scan per word.
 *
 * A frame cap bounds each walk (a corrupt stack can loop); hitting it, or
 * an unwinding error, keeps the frames found so far, leaves a warning
 * naming the thread and the address, and says why in threads.unwind_stop.
 *
 * `capture --stacks` also unwinds each thread live with libunwind and
 * stores the result in the MEMSNAP stacks note; those frames go to
 * live_frames as they are, to compare with ours.
 */
#include <elfutils/libdw.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/demangle.h"
#include "common/log.h"
#include "common/memsnap_note.h"
#include "common/parse_number.h"
#include "common/text_escape.h"
#include "stages.h"

#define LIVE_FRAMES_MAX (1u << 20) /* bounds a crafted stacks note */
#define THREAD_NAME_MAX 64         /* comm is 16 bytes; room for escapes */

struct frame_pc {
        uint64_t pc;
        bool activation; /* pc is where the thread stopped, not a return address */
};


struct walk {
        bool *read_failed;  /* struct unwind's */
        struct frame_pc *v;
        size_t n, cap;
        unsigned max;
        bool capped;
        int error;      /* -ENOMEM: the walk stopped for want of memory, not at the stack's end */
};

static int frame_cb(Dwfl_Frame *state, void *arg)
{
        struct walk *w = arg;
        Dwarf_Addr pc;
        bool activation;

        /* Reads that fail from here on are about the frame after this one. */
        *w->read_failed = false;
        if (!dwfl_frame_pc(state, &pc, &activation))
                return -1;
        /* A frame past the cap: only now is the stack known to be deeper. */
        if (w->n >= w->max) {
                w->capped = true;
                return DWARF_CB_ABORT;
        }
        if (ARRAY_RESERVE(w->v, w->cap, w->n + 1) < 0) {
                w->error = -ENOMEM;
                return DWARF_CB_ABORT;
        }
        w->v[w->n++] = (struct frame_pc){ pc, activation };
        return DWARF_CB_OK;
}

/* A frame found, waiting to be named: names are looked up once per distinct address. */
struct pending {
        int tid, depth;
        struct frame_pc fp;
};

/* What one code address is: its module, function and source line. */
struct symbol {
        uint64_t lookup;        /* pc, or pc - 1 for a return address */
        int module_id;
        const char *function;   /* owned by libdwfl */
        char *readable;         /* function demangled (common/demangle.h) */
        uint64_t start;         /* the function's address */
        const char *source_file; /* owned by libdwfl */
        int line;
};

static uint64_t lookup_address(const struct frame_pc *fp)
{
        return fp->activation || fp->pc == 0 ? fp->pc : fp->pc - 1;
}

static void symbol_lookup(const struct analysis *a, struct symbol *sym)
{
        Dwfl_Module *mod = dwfl_addrmodule(a->modules.dwfl, sym->lookup);
        sym->module_id = module_of(a, mod);
        if (!mod)
                return;
        GElf_Off off;
        GElf_Sym elfsym;
        sym->function = dwfl_module_addrinfo(mod, sym->lookup, &off, &elfsym, NULL, NULL, NULL);
        if (sym->function)
                sym->start = sym->lookup - off;
        Dwfl_Line *line = dwfl_module_getsrc(mod, sym->lookup);
        int lineno = 0;
        sym->source_file = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
        sym->line = sym->source_file && lineno > 0 ? lineno : 0;
}

static int u64_cmp(const void *x, const void *y)
{
        uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
        return a < b ? -1 : a > b;
}

/* Fills out->frames from the pending frames and their looked-up symbols (keys sorted, syms alike). */
static int frames_name(struct threads_result *out, const struct pending *p, size_t n, const uint64_t *keys, size_t nkeys,
                       const struct symbol *syms)
{
        for (size_t i = 0; i < n; i++) {
                uint64_t key = lookup_address(&p[i].fp);
                const uint64_t *at = bsearch(&key, keys, nkeys, sizeof(*keys), u64_cmp);
                const struct symbol *sym = &syms[at - keys];
                struct frame *f = &out->frames[out->nframes++];
                *f = (struct frame){
                        .tid = p[i].tid, .depth = p[i].depth, .pc = p[i].fp.pc, .module_id = sym->module_id,
                        .line = sym->line,
                };
                if (sym->function) {
                        if (!(f->function = strdup(sym->readable)) || !(f->symbol = strdup(sym->function)))
                                return -ENOMEM;
                        f->offset = f->pc - sym->start;
                }
                if (sym->source_file && !(f->source_file = strdup(sym->source_file)))
                        return -ENOMEM;
        }
        return 0;
}

/*
 * Names every pending frame into out->frames.  libdwfl finds a symbol by
 * scanning the module's whole symbol table, so each distinct address is
 * looked up once: threads of a pool share their stacks' addresses.
 */
static int symbolize_all(const struct analysis *a, struct threads_result *out, const struct pending *p, size_t n)
{
        _cleanup_free_ uint64_t *keys = calloc(n ? n : 1, sizeof(*keys));
        if (!keys)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                keys[i] = lookup_address(&p[i].fp);
        qsort_safe(keys, n, sizeof(*keys), u64_cmp);
        size_t nkeys = 0;
        for (size_t i = 0; i < n; i++)
                if (!nkeys || keys[nkeys - 1] != keys[i])
                        keys[nkeys++] = keys[i];

        _cleanup_free_ struct symbol *syms = calloc(nkeys ? nkeys : 1, sizeof(*syms));
        out->frames = calloc(n ? n : 1, sizeof(*out->frames));
        if (!syms || !out->frames)
                return -ENOMEM;
        int r = 0;
        for (size_t k = 0; k < nkeys; k++) {
                syms[k] = (struct symbol){ .lookup = keys[k], .module_id = NO_ID };
                symbol_lookup(a, &syms[k]);
                if (syms[k].function && !(syms[k].readable = demangle_symbol(syms[k].function)))
                        r = -ENOMEM;
        }
        if (r == 0)
                r = frames_name(out, p, n, keys, nkeys, syms);
        for (size_t k = 0; k < nkeys; k++)
                free(syms[k].readable);
        return r;
}

/* Threads by id, for lookups that must stay fast with tens of thousands of threads. */
struct tid_slot {
        int tid;
        size_t index;   /* into a->threads.v, or into core.threads while collecting */
};

struct tid_index {
        struct tid_slot *v;
        size_t n;
};

static int slot_cmp(const void *x, const void *y)
{
        const struct tid_slot *a = x, *b = y;
        if (a->tid != b->tid)
                return a->tid < b->tid ? -1 : 1;
        return a->index < b->index ? -1 : a->index > b->index;
}

static struct thread *thread_by_tid(struct threads_result *out, const struct tid_index *ix, int tid)
{
        size_t lo = 0, hi = ix->n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (ix->v[mid].tid < tid)
                        lo = mid + 1;
                else if (ix->v[mid].tid > tid)
                        hi = mid;
                else
                        return &out->v[ix->v[mid].index];
        }
        return NULL;
}

/* The module path of an address, for messages. */
static const char *where(const struct analysis *a, uint64_t pc)
{
        Dwfl_Module *mod = dwfl_addrmodule(a->modules.dwfl, pc);
        int id = module_of(a, mod);
        return id >= 0 ? a->modules.v[id].path : "no module";
}

/*
 * Where a Go stack ends by design.  Go code has no CFI: libdwfl walks it
 * by frame pointers, and fails at the frame where the stack begins.  The
 * Go linker marks the functions that begin a stack TOPFRAME
 * (runtime/asm_amd64.s: goexit, mstart, rt0_go); those that switch
 * stacks (mcall, systemstack, morestack) are where the Go runtime's own
 * traceback stops (runtime/traceback.go).  Assembly functions carry an
 * ".abi0" suffix in the symbol table.
 */
static const char *const go_stack_tops[] = { "runtime.goexit", "runtime.mstart", "runtime.rt0_go" };
static const char *const go_stack_switches[] = { "runtime.mcall", "runtime.systemstack", "runtime.morestack" };

static bool name_in(const char *name, const char *const *list, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                size_t len = strlen(list[i]);
                if (strncmp(name, list[i], len) == 0 && (name[len] == '\0' || strcmp(name + len, ".abi0") == 0))
                        return true;
        }
        return false;
}

/* The function a frame is in, or NULL. */
static const char *function_at(const struct analysis *a, const struct frame_pc *fp)
{
        uint64_t pc = lookup_address(fp);
        Dwfl_Module *mod = dwfl_addrmodule(a->modules.dwfl, pc);
        return mod ? dwfl_module_addrname(mod, pc) : NULL;
}

/* Whether the module's .eh_frame or DWARF CFI describes the frame at pc. */
static bool has_cfi(const struct analysis *a, uint64_t pc)
{
        Dwfl_Module *mod = dwfl_addrmodule(a->modules.dwfl, pc);
        if (!mod)
                return false;
        Dwarf_Addr biases[2] = { 0, 0 };
        Dwarf_CFI *cfi[2] = { dwfl_module_eh_cfi(mod, &biases[0]), dwfl_module_dwarf_cfi(mod, &biases[1]) };
        for (size_t i = 0; i < 2; i++) {
                Dwarf_Frame *frame = NULL;
                if (cfi[i] && dwarf_cfi_addrframe(cfi[i], pc - biases[i], &frame) == 0) {
                        free(frame);
                        return true;
                }
        }
        return false;
}

/*
 * Why an unwind that libdwfl ended with an error stopped, or NULL when
 * the last frame begins its stack (the walk is complete); *quiet says the
 * stop is by design and needs no warning.
 */
static char *stop_reason(const struct analysis *a, const struct frame_pc *last, const char *err, bool *quiet)
{
        const char *fn = function_at(a, last);
        uint64_t pc = lookup_address(last);
        char *s = NULL;

        *quiet = fn && (name_in(fn, go_stack_tops, ELEMENTSOF(go_stack_tops)) ||
                        name_in(fn, go_stack_switches, ELEMENTSOF(go_stack_switches)));
        if (fn && name_in(fn, go_stack_tops, ELEMENTSOF(go_stack_tops)))
                return NULL;
        int r = *quiet ? asprintf(&s, "%s switches stacks: the Go runtime's own traceback ends there too", fn)
                : !has_cfi(a, pc)
                        ? asprintf(&s, "no CFI (.eh_frame or DWARF) describes 0x%" PRIx64 " (%s in %s), and the frame pointer chain ends there",
                                   pc, fn ? fn : "no symbol", where(a, pc))
                        : asprintf(&s, "%s", err ? err : "unwinding failed");
        return r < 0 ? NULL : s;
}


struct unwind {
        const struct analysis *a;   /* the earlier stages' results, read only */
        struct threads_result *out; /* what the stage finds: a->threads */
        struct warnings *w;
        struct tid_index tids;
        struct pending *pending; /* every thread's frames, in order */
        size_t npending, cap;
        int error;      /* -ENOMEM and such: stops the stage */
        /*
         * libdwfl's thread callbacks' cursor.  dwfl_attach_state keeps a
         * pointer to this struct in the modules' Dwfl after the stage; it
         * calls back only from dwfl_getthreads, which only this stage calls,
         * and core_thread_callbacks has no detach to call at dwfl_end.
         */
        size_t next_thread; /* index into threads */
        bool read_failed;   /* a stack read since the last frame found nothing in the core */
        uint64_t failed_address;
};

static int add_pending(struct unwind *u, int tid, int depth, const struct frame_pc *fp)
{
        if (ARRAY_RESERVE(u->pending, u->cap, u->npending + 1) < 0)
                return -ENOMEM;
        u->pending[u->npending++] = (struct pending){ tid, depth, *fp };
        return 0;
}

static int thread_cb(Dwfl_Thread *thread, void *arg)
{
        struct unwind *u = arg;
        const struct analysis *a = u->a;
        pid_t tid = dwfl_thread_tid(thread);
        struct walk w = { .read_failed = &u->read_failed, .max = a->opt.max_frames };

        /* next_thread just handed libdwfl this thread. */
        size_t hint = u->next_thread - 1;
        struct thread *t = hint < u->out->n && u->out->v[hint].tid == tid ? &u->out->v[hint]
                                                                             : thread_by_tid(u->out, &u->tids, tid);
        if (!t || t->nframes)
                return DWARF_CB_OK;
        int rc = dwfl_thread_getframes(thread, frame_cb, &w);
        const char *err = rc < 0 ? dwfl_errmsg(-1) : NULL;
        if (w.error) {
                u->error = w.error;
                free(w.v);
                return DWARF_CB_ABORT;
        }

        for (size_t i = 0; i < w.n && !u->error; i++)
                u->error = add_pending(u, tid, (int)i, &w.v[i]);
        t->nframes = (int)w.n;

        uint64_t last = w.n ? w.v[w.n - 1].pc : t->pc;
        if (w.capped) {
                if (asprintf(&t->unwind_stop, "stopped after %u frames (--max-frames)", w.max) < 0) {
                        t->unwind_stop = NULL;
                        u->error = -ENOMEM;
                }
                warnings_add(u->w, "threads", last,
                             "thread %d: stopped unwinding after %u frames (--max-frames); the stack may be deeper or looping",
                             tid, w.max);
        } else if (u->read_failed) {
                /* libdwfl ends quietly when it cannot read a return address: the stack is cut short. */
                if (asprintf(&t->unwind_stop, "the stack at 0x%" PRIx64 " is not in the core",
                             u->failed_address) < 0) {
                        t->unwind_stop = NULL;
                        u->error = -ENOMEM;
                }
                warnings_add(u->w, "threads", last,
                             "thread %d: unwinding stopped after %zu frames at 0x%" PRIx64 " in %s: its stack at 0x%" PRIx64
                             " is not in the core",
                             tid, w.n, last, where(a, last), u->failed_address);
        } else if (rc < 0 || (rc != DWARF_CB_OK && !u->error)) {
                const struct frame_pc top = w.n ? w.v[w.n - 1] : (struct frame_pc){ t->pc, true };
                bool quiet;
                _cleanup_free_ char *err_copy = err ? strdup(err) : NULL; /* dwfl_errmsg's buffer is reused */
                t->unwind_stop = stop_reason(a, &top, err_copy ? err_copy : err, &quiet);
                if (!t->unwind_stop && !quiet && !(t->unwind_stop = strdup("unwinding failed")))
                        u->error = -ENOMEM;
                if (!quiet)
                        warnings_add(u->w, "threads", last, "thread %d: unwinding stopped after %zu frames at 0x%" PRIx64 " in %s: %s",
                                     tid, w.n, last, where(a, last), t->unwind_stop ? t->unwind_stop : "unknown error");
        }
        free(w.v);
        return u->error ? DWARF_CB_ABORT : DWARF_CB_OK;
}

/* [s, end) is a whole field holding a non-negative int. */
static bool parse_int(const char *s, const char *end, int *out)
{
        uint64_t v;
        if (!parse_number_dec_u64(&s, end, &v) || s != end || v > INT_MAX)
                return false;
        *out = (int)v;
        return true;
}

/* [s, end) is a whole field holding hex digits. */
static bool parse_hex(const char *s, const char *end, uint64_t *out)
{
        return parse_number_hex_u64(&s, end, out) && s == end;
}

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_arg)
{
        struct unwind *u = arg;
        (void)dwfl;
        if (u->next_thread >= u->out->n)
                return 0;
        struct thread *t = &u->out->v[u->next_thread++];
        *thread_arg = t;
        return t->tid;
}

#define NULL_PAGE 4096 /* a read there is a NULL frame pointer ending the chain, not missing memory */

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
        struct unwind *u = arg;
        const struct analysis *a = u->a;
        uint64_t v;
        (void)dwfl;
        if (core_read_u64(&a->core, addr, &v)) {
                *result = v;
                return true;
        }
        if (addr >= NULL_PAGE) {
                u->read_failed = true;
                u->failed_address = addr;
        }
        return false;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *thread_arg)
{
        const struct user_regs_struct *r = &((const struct thread *)thread_arg)->core->regs;
        /* x86-64 psABI, DWARF register numbers 0-16: rax rdx rcx rbx rsi rdi rbp rsp r8-r15, return address. */
        const Dwarf_Word regs[17] = {
                r->rax, r->rdx, r->rcx, r->rbx, r->rsi, r->rdi, r->rbp, r->rsp,
                r->r8,  r->r9,  r->r10, r->r11, r->r12, r->r13, r->r14, r->r15, r->rip,
        };
        dwfl_thread_state_register_pc(thread, r->rip);
        return dwfl_thread_state_registers(thread, 0, ELEMENTSOF(regs), regs);
}

static const Dwfl_Thread_Callbacks core_thread_callbacks = {
        .next_thread = next_thread,
        .memory_read = memory_read,
        .set_initial_registers = set_initial_registers,
};

/* MEMSNAP_NT_THREADS: "TID<TAB>COMM\n" per thread, the name escaped (common/text_escape.h). */
static void read_names(struct unwind *u, const struct tid_index *tids)
{
        const struct analysis *a = u->a;
        const struct core_note *n = core_find_note(&a->core, MEMSNAP_NOTE_NAME, MEMSNAP_NT_THREADS);
        if (!n)
                return;
        const char *p = (const char *)n->desc, *end = p + n->descsz;
        size_t lineno = 0, bad = 0;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *eol = nl ? nl : end;
                const char *tab = memchr(p, '\t', (size_t)(eol - p));
                size_t len = tab ? (size_t)(eol - tab - 1) : 0;
                int tid;
                lineno++;
                if (eol == p) {
                        p = nl ? nl + 1 : end;
                        continue;
                }
                if (tab && parse_int(p, tab, &tid) && tid > 0 && len <= THREAD_NAME_MAX &&
                    !memchr(tab + 1, '\0', len)) {
                        /* A thread that started or ended between the notes has nothing to name. */
                        struct thread *t = thread_by_tid(u->out, tids, tid);
                        if (t && len) {
                                free(t->name);
                                t->name = text_escape_undo(tab + 1, len);
                        }
                } else if (!bad++) {
                        warnings_add(u->w, "threads", 0,
                                     "the MEMSNAP threads note (file offset %llu) has a malformed line %zu",
                                     (unsigned long long)n->file_offset, lineno);
                }
                p = nl ? nl + 1 : end;
        }
}

/* A text field of the stacks note, unescaped (common/text_escape.h); NULL when empty. */
static char *field_dup(const char *s, const char *end)
{
        return s < end && !memchr(s, '\0', (size_t)(end - s)) ? text_escape_undo(s, (size_t)(end - s)) : NULL;
}

/* MEMSNAP_NT_STACKS: "TID<TAB>DEPTH<TAB>PC<TAB>FUNCTION<TAB>OFFSET<TAB>MODULE\n", texts escaped. */
static int read_live_stacks(struct unwind *u)
{
        const struct analysis *a = u->a;
        const struct core_note *n = core_find_note(&a->core, MEMSNAP_NOTE_NAME, MEMSNAP_NT_STACKS);
        size_t cap = 0, lineno = 0, bad = 0;

        if (!n)
                return 0;
        const char *p = (const char *)n->desc, *end = p + n->descsz;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *eol = nl ? nl : end;
                const char *f[7];
                size_t nf = 0;
                lineno++;
                f[nf++] = p;
                for (const char *q = p; q < eol && nf < 7; q++)
                        if (*q == '\t')
                                f[nf++] = q + 1;
                struct live_frame lf = { 0 };
                if (eol == p) {
                        p = nl ? nl + 1 : end;
                        continue;
                }
                if (nf != 6 || !parse_int(f[0], f[1] - 1, &lf.tid) || !parse_int(f[1], f[2] - 1, &lf.depth) ||
                    !parse_hex(f[2], f[3] - 1, &lf.pc) || (f[5] - 1 > f[4] && !parse_hex(f[4], f[5] - 1, &lf.offset))) {
                        if (!bad++)
                                warnings_add(u->w, "threads", 0,
                                             "the MEMSNAP stacks note (file offset %llu) has a malformed line %zu; such lines are skipped",
                                             (unsigned long long)n->file_offset, lineno);
                        p = nl ? nl + 1 : end;
                        continue;
                }
                if (u->out->nlive_frames >= LIVE_FRAMES_MAX) {
                        warnings_add(u->w, "threads", 0, "the MEMSNAP stacks note has more than %u frames; the rest are left out",
                                     LIVE_FRAMES_MAX);
                        break;
                }
                if (ARRAY_RESERVE(u->out->live_frames, cap, u->out->nlive_frames + 1) < 0)
                        return log_error_errno(ENOMEM, "cannot analyze '%s': %m", a->opt.core_path);
                lf.symbol = field_dup(f[3], f[4] - 1);
                lf.function = lf.symbol ? demangle_symbol(lf.symbol) : NULL;
                lf.module = field_dup(f[5], eol);
                u->out->live_frames[u->out->nlive_frames++] = lf;
                if (lf.symbol && !lf.function)
                        return log_error_errno(ENOMEM, "cannot analyze '%s': %m", a->opt.core_path);
                p = nl ? nl + 1 : end;
        }
        if (bad > 1)
                warnings_add(u->w, "threads", 0, "the MEMSNAP stacks note has %zu malformed lines in all", bad);
        return 0;
}

/*
 * One thread per NT_PRSTATUS, in the core's order (the kernel puts the
 * dumping thread first); an id that is not one, or that an earlier note
 * already gave, is left out with a warning.  Fills tids for lookups.
 */
static int collect_threads(struct unwind *u, struct tid_index *tids)
{
        const struct analysis *a = u->a;
        const struct core *c = &a->core;
        size_t n = 0;

        u->out->v = calloc(c->nthreads ? c->nthreads : 1, sizeof(*u->out->v));
        tids->v = calloc(c->nthreads ? c->nthreads : 1, sizeof(*tids->v));
        _cleanup_free_ bool *skip = calloc(c->nthreads ? c->nthreads : 1, sizeof(*skip));
        if (!u->out->v || !tids->v || !skip)
                return log_error_errno(ENOMEM, "cannot analyze '%s': %m", a->opt.core_path);

        for (size_t i = 0; i < c->nthreads; i++)
                tids->v[n++] = (struct tid_slot){ c->threads[i].tid, i };
        qsort_safe(tids->v, n, sizeof(*tids->v), slot_cmp);
        for (size_t k = 0; k < n; k++) {
                const struct core_thread *ct = &c->threads[tids->v[k].index];
                bool dup = k > 0 && tids->v[k - 1].tid == tids->v[k].tid;
                if (ct->tid <= 0 || dup) {
                        skip[tids->v[k].index] = true;
                        warnings_add(u->w, "threads", 0,
                                     "NT_PRSTATUS at file offset %llu: thread id %d is %s; that thread is left out",
                                     (unsigned long long)ct->prstatus->file_offset, ct->tid,
                                     ct->tid <= 0 ? "not a thread id" : "a duplicate");
                }
        }
        for (size_t i = 0; i < c->nthreads; i++) {
                const struct core_thread *ct = &c->threads[i];
                if (skip[i])
                        continue;
                u->out->v[u->out->n++] = (struct thread){
                        .tid = ct->tid, .is_main = ct->tid == a->snap.pid, .pc = ct->regs.rip,
                        .sp = ct->regs.rsp, .fs_base = ct->regs.fs_base, .signal = ct->cursig,
                        .core = ct,
                };
        }
        tids->n = 0;
        for (size_t i = 0; i < u->out->n; i++)
                tids->v[tids->n++] = (struct tid_slot){ u->out->v[i].tid, i };
        qsort_safe(tids->v, tids->n, sizeof(*tids->v), slot_cmp);

        struct thread *main_thread = thread_by_tid(u->out, tids, a->snap.pid);
        if (main_thread && c->prpsinfo)
                main_thread->name = strndup(c->prpsinfo->pr_fname,
                                            strnlen(c->prpsinfo->pr_fname, sizeof(c->prpsinfo->pr_fname)));
        else if (!main_thread && u->out->n && a->snap.pid > 0)
                warnings_add(u->w, "threads", 0,
                             "no thread has the process id %d: the main thread had exited when the core was written",
                             a->snap.pid);
        read_names(u, tids);
        return 0;
}

/* When libdwfl could not unwind a thread at all: one frame, from its registers. */
static int registers_only(struct unwind *u)
{
        for (size_t i = 0; i < u->out->n; i++) {
                struct thread *t = &u->out->v[i];
                if (t->nframes)
                        continue;
                struct frame_pc fp = { t->pc, true };
                int r = add_pending(u, t->tid, 0, &fp);
                if (r < 0)
                        return r;
                t->nframes = 1;
                if (!t->unwind_stop && !(t->unwind_stop = strdup("not unwound: only the registers' pc is known")))
                        return -ENOMEM;
        }
        return 0;
}

static void unwind_done(struct unwind *u)
{
        free(u->tids.v);
        free(u->pending);
}

int threads_unwind(struct analysis *a)
{
        _cleanup_(unwind_done) struct unwind u = { .a = a, .out = &a->threads, .w = &a->warnings };
        int r = collect_threads(&u, &u.tids);
        if (r < 0)
                return r;

        if (a->threads.n && a->modules.dwfl) {
                if (!dwfl_attach_state(a->modules.dwfl, a->core.elf, a->snap.pid > 0 ? a->snap.pid : a->threads.v[0].tid,
                                       &core_thread_callbacks, &u)) {
                        const char *err = dwfl_errmsg(-1);
                        warnings_add(&a->warnings, "threads", 0, "libdwfl cannot unwind this core: %s",
                                     err ? err : "unknown error");
                } else if (dwfl_getthreads(a->modules.dwfl, thread_cb, &u) < 0 && !u.error) {
                        const char *err = dwfl_errmsg(-1);
                        warnings_add(&a->warnings, "threads", 0, "libdwfl stopped listing threads: %s",
                                     err ? err : "unknown error");
                }
        }
        if (u.error ||
            (a->modules.dwfl && ((r = registers_only(&u)) < 0 || (r = symbolize_all(a, u.out, u.pending, u.npending)) < 0)))
                return log_error_errno(u.error ? u.error : r, "cannot analyze '%s': %m", a->opt.core_path);
        return read_live_stacks(&u);
}

void threads_reset(struct analysis *a)
{
        struct threads_result *t = &a->threads;
        for (size_t i = 0; i < t->n; i++) {
                free(t->v[i].name);
                free(t->v[i].unwind_stop);
        }
        free(t->v);
        for (size_t i = 0; i < t->nframes; i++) {
                free(t->frames[i].function);
                free(t->frames[i].symbol);
                free(t->frames[i].source_file);
        }
        free(t->frames);
        for (size_t i = 0; i < t->nlive_frames; i++) {
                free(t->live_frames[i].function);
                free(t->live_frames[i].symbol);
                free(t->live_frames[i].module);
        }
        free(t->live_frames);
        *t = (struct threads_result){ 0 };
}
