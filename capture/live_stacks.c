/* Implementation of live_stacks.h: libunwind-ptrace to walk, libdwfl to name. */
#include "live_stacks.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <libunwind-ptrace.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/demangle.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/text_escape.h"

static void addr_space_destroyp(unw_addr_space_t *as)
{
        if (*as)
                unw_destroy_addr_space(*as);
        *as = NULL;
}

DEFINE_POINTER_CLEANUP(Dwfl, dwfl_end)

static int add_frame(struct live_stacks *ls, const struct live_frame_rec *f)
{
        if (ARRAY_RESERVE(ls->v, ls->cap, ls->n + 1) < 0)
                return -ENOMEM;
        ls->v[ls->n++] = *f;
        return 0;
}

static void set_error(struct live_thread_rec *t, const char *what, int depth, int r)
{
        if (asprintf(&t->error, "%s at frame #%d: %s", what, depth, unw_strerror(r)) < 0)
                t->error = NULL;
}

static int unwind_thread(struct live_stacks *ls, unw_addr_space_t as, pid_t tid, struct live_thread_rec *t)
{
        *t = (struct live_thread_rec){ .tid = tid, .first = ls->n };
        void *upt = _UPT_create(tid);
        if (!upt)
                return -ENOMEM;

        unw_cursor_t cursor;
        int r = unw_init_remote(&cursor, as, upt);
        if (r < 0) {
                set_error(t, "cannot start unwinding", 0, r);
                _UPT_destroy(upt);
                return 0;
        }
        bool activation = true; /* the innermost frame, and a frame a signal interrupted */
        for (int depth = 0;; depth++) {
                if (ls->max_frames && (unsigned)depth >= ls->max_frames) {
                        t->truncated = true;
                        break;
                }
                unw_word_t ip = 0;
                if (unw_get_reg(&cursor, UNW_REG_IP, &ip) < 0 || ip == 0)
                        break;
                struct live_frame_rec f = { .tid = tid, .depth = depth, .pc = ip, .activation = activation };
                if (add_frame(ls, &f) < 0) {
                        _UPT_destroy(upt);
                        return -ENOMEM;
                }
                t->count++;
                activation = unw_is_signal_frame(&cursor) > 0;
                r = unw_step(&cursor);
                if (r == 0)
                        break;
                if (r < 0) {
                        set_error(t, "unwinding stopped", depth, r);
                        break;
                }
        }
        _UPT_destroy(upt);
        return 0;
}

int live_stacks_unwind(struct live_stacks *ls, const pid_t *tids, size_t ntids, unsigned max_frames)
{
        memset(ls, 0, sizeof(*ls));
        ls->max_frames = max_frames;
        ls->threads = calloc(ntids ? ntids : 1, sizeof(*ls->threads));
        if (!ls->threads)
                return -ENOMEM;

        _cleanup_(addr_space_destroyp) unw_addr_space_t as = unw_create_addr_space(&_UPT_accessors, 0);
        if (!as)
                return -ENOMEM;
        /* Threads share the address space: unwind tables are parsed once. */
        unw_set_caching_policy(as, UNW_CACHE_GLOBAL);

        for (size_t i = 0; i < ntids; i++) {
                int r = unwind_thread(ls, as, tids[i], &ls->threads[i]);
                ls->nthreads = i + 1;
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Where find_elf gets a module's ELF: a file, or memsnap's own vDSO. */
struct module_source {
        char *open_path;        /* what to open (map_files for a deleted file) */
        char *name;             /* what to call it */
        const uint8_t *image;   /* the vDSO, or NULL */
        size_t image_len;
};

struct symbolizer {
        struct module_source *v;
        size_t n;
        uint8_t *vdso_copy;     /* elf_memory wants a buffer it may own */
};

static int find_elf(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr base, char **file_name,
                    Elf **elfp)
{
        const struct module_source *src = *userdata;
        (void)mod;
        (void)name;
        (void)base;
        if (!src)
                return -1;
        if (src->image) {
                *elfp = elf_memory((char *)src->image, src->image_len);
                *file_name = NULL;
                return -1;
        }
        int fd = open(src->open_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -1;
        *file_name = strdup(src->name);
        return fd;
}

static const Dwfl_Callbacks symbolizer_callbacks = {
        .find_elf = find_elf,
        .find_debuginfo = dwfl_standard_find_debuginfo,
};

static void symbolizer_free(struct symbolizer *s)
{
        for (size_t i = 0; i < s->n; i++) {
                free(s->v[i].open_path);
                free(s->v[i].name);
        }
        free(s->v);
        free(s->vdso_copy);
}

/* Reports each file mapped (its mappings from the first to the last) and the vDSO. */
static int report_modules(Dwfl *dwfl, struct symbolizer *s, pid_t pid, const struct map_list *maps,
                          const uint8_t *own_vdso, size_t own_vdso_len)
{
        s->v = calloc(maps->n ? maps->n : 1, sizeof(*s->v));
        if (!s->v)
                return -ENOMEM;
        dwfl_report_begin(dwfl);
        for (size_t i = 0; i < maps->n;) {
                const struct map_entry *e = &maps->v[i];
                size_t j = i + 1;
                struct module_source *src = &s->v[s->n];
                bool vdso = e->path && strcmp(e->path, "[vdso]") == 0;

                if (vdso && own_vdso && own_vdso_len == e->end - e->start) {
                        s->vdso_copy = malloc(own_vdso_len);
                        if (!s->vdso_copy)
                                return -ENOMEM;
                        memcpy(s->vdso_copy, own_vdso, own_vdso_len);
                        src->image = s->vdso_copy;
                        src->image_len = own_vdso_len;
                        src->name = strdup("[vdso]");
                } else if (map_is_file(e) && e->inode != 0 && e->offset == 0) {
                        while (j < maps->n && maps->v[j].inode == e->inode && maps->v[j].dev_major == e->dev_major &&
                               maps->v[j].dev_minor == e->dev_minor && maps->v[j].path &&
                               strcmp(maps->v[j].path, e->path) == 0)
                                j++;
                        src->name = strdup(e->path);
                        if (e->deleted) {
                                if (asprintf(&src->open_path, "/proc/%d/map_files/%llx-%llx", (int)pid,
                                             (unsigned long long)e->start, (unsigned long long)e->end) < 0)
                                        src->open_path = NULL;
                        } else {
                                src->open_path = strdup(e->path);
                        }
                        if (!src->open_path)
                                return -ENOMEM;
                } else {
                        i = j;
                        continue;
                }
                if (!src->name)
                        return -ENOMEM;
                s->n++;
                Dwfl_Module *mod = dwfl_report_module(dwfl, src->name, e->start, maps->v[j - 1].end);
                void **ud;
                if (mod && dwfl_module_info(mod, &ud, NULL, NULL, NULL, NULL, NULL, NULL))
                        *ud = src;
                i = j;
        }
        return dwfl_report_end(dwfl, NULL, NULL) == 0 ? 0 : -EINVAL;
}

void live_stacks_symbolize(struct live_stacks *ls, pid_t pid, const struct map_list *maps, const uint8_t *own_vdso,
                           size_t own_vdso_len)
{
        _cleanup_(symbolizer_free) struct symbolizer s = { 0 };
        _cleanup_(dwfl_endp) Dwfl *dwfl = dwfl_begin(&symbolizer_callbacks);

        for (size_t i = 0; i < ls->n; i++) {
                struct live_frame_rec *f = &ls->v[i];
                const struct map_entry *e = map_list_find(maps, f->pc);
                if (e && e->path && !f->module)
                        f->module = strdup(e->path);
        }
        if (!dwfl || report_modules(dwfl, &s, pid, maps, own_vdso, own_vdso_len) < 0) {
                log_debug("cannot name the frames: %s", dwfl_errmsg(-1));
                return;
        }
        for (size_t i = 0; i < ls->n; i++) {
                struct live_frame_rec *f = &ls->v[i];
                /* A return address is just past the call: look up the call itself, as eu-stack does. */
                Dwarf_Addr lookup = f->activation ? f->pc : f->pc - 1;
                Dwfl_Module *mod = dwfl_addrmodule(dwfl, lookup);
                if (!mod)
                        continue;
                GElf_Off off;
                GElf_Sym sym;
                const char *name = dwfl_module_addrinfo(mod, lookup, &off, &sym, NULL, NULL, NULL);
                if (!name)
                        continue;
                f->function = strdup(name);
                f->offset = off + (f->activation ? 0 : 1);
        }
}

void live_stacks_print(const struct live_stacks *ls, pid_t pid, bool modules, FILE *out)
{
        fprintf(out, "PID %d - process\n", (int)pid);
        for (size_t t = 0; t < ls->nthreads; t++) {
                const struct live_thread_rec *th = &ls->threads[t];
                fprintf(out, "TID %d:\n", (int)th->tid);
                for (size_t i = th->first; i < th->first + th->count; i++) {
                        const struct live_frame_rec *f = &ls->v[i];
                        fprintf(out, "#%-2d 0x%016llx", f->depth, (unsigned long long)f->pc);
                        /* Symbol and file names are the target's: escaped for the terminal. */
                        if (f->function) {
                                /* Demangled as eu-stack does; without memory, the symbol as it is. */
                                _cleanup_free_ char *readable = demangle_symbol(f->function);
                                fputc(' ', out);
                                text_escape_terminal_write(out, readable ? readable : f->function);
                        }
                        if (modules && f->module) {
                                fputs(" - ", out);
                                text_escape_terminal_write(out, f->module);
                        }
                        fputc('\n', out);
                }
                if (th->truncated)
                        log_warning("thread %d: stopped after %u frames (-n 0 for no limit)", (int)th->tid,
                                    ls->max_frames);
                if (th->error)
                        log_warning("thread %d: %s", (int)th->tid, th->error);
        }
}

int live_stacks_format(const struct live_stacks *ls, char **text, size_t *len)
{
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;

        /* Names are escaped: a tab or newline in one must not break the line. */
        for (size_t i = 0; i < ls->n; i++) {
                const struct live_frame_rec *r = &ls->v[i];
                strbuf_addf(&sb, "%d\t%d\t%llx\t", (int)r->tid, r->depth, (unsigned long long)r->pc);
                if (r->function)
                        text_escape_add(&sb, r->function, strlen(r->function));
                strbuf_addf(&sb, "\t%llx\t", (unsigned long long)(r->function ? r->offset : 0));
                if (r->module)
                        text_escape_add(&sb, r->module, strlen(r->module));
                strbuf_addch(&sb, '\n');
        }
        *text = strbuf_take(&sb, len);
        return *text ? 0 : -ENOMEM;
}

void live_stacks_free(struct live_stacks *ls)
{
        for (size_t i = 0; i < ls->n; i++) {
                free(ls->v[i].function);
                free(ls->v[i].module);
        }
        for (size_t t = 0; t < ls->nthreads; t++)
                free(ls->threads[t].error);
        free(ls->v);
        free(ls->threads);
        memset(ls, 0, sizeof(*ls));
}
