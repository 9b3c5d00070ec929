/* Implementation of live_stacks.h with libunwind-ptrace. */
#include "live_stacks.h"

#include <errno.h>
#include <libunwind-ptrace.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"

#define PROC_NAME_MAX 1024

static void addr_space_destroyp(unw_addr_space_t *as)
{
        if (*as)
                unw_destroy_addr_space(*as);
        *as = NULL;
}

static int add_frame(struct live_stacks *ls, const struct live_frame_rec *f)
{
        if (ls->n == ls->cap) {
                size_t cap = ls->cap ? ls->cap * 2 : 256;
                struct live_frame_rec *v = realloc(ls->v, cap * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                ls->v = v;
                ls->cap = cap;
        }
        ls->v[ls->n++] = *f;
        return 0;
}

/* Function and module names must not break the note's tab-separated lines. */
static char *clean_strdup(const char *s)
{
        char *d = strdup(s);
        if (d)
                for (char *p = d; *p; p++)
                        if (*p == '\t' || *p == '\n')
                                *p = ' ';
        return d;
}

static int unwind_thread(struct live_stacks *ls, unw_addr_space_t as, pid_t tid, const struct map_list *maps,
                         struct live_thread_rec *t)
{
        char name[PROC_NAME_MAX];

        *t = (struct live_thread_rec){ .tid = tid, .first = ls->n };
        void *upt = _UPT_create(tid);
        if (!upt)
                return -ENOMEM;

        unw_cursor_t cursor;
        int r = unw_init_remote(&cursor, as, upt);
        if (r < 0) {
                if (asprintf(&t->error, "cannot start unwinding: %s", unw_strerror(r)) < 0)
                        t->error = NULL;
                _UPT_destroy(upt);
                return 0;
        }
        for (int depth = 0;; depth++) {
                if (ls->max_frames && (unsigned)depth >= ls->max_frames) {
                        t->truncated = true;
                        break;
                }
                unw_word_t ip = 0, off = 0;
                if (unw_get_reg(&cursor, UNW_REG_IP, &ip) < 0 || ip == 0)
                        break;
                struct live_frame_rec f = { .tid = tid, .depth = depth, .pc = ip };
                int nr = unw_get_proc_name(&cursor, name, sizeof(name), &off);
                if (nr == 0 || nr == -UNW_ENOMEM) {
                        name[sizeof(name) - 1] = '\0';
                        f.function = clean_strdup(name);
                        f.offset = off;
                }
                const struct map_entry *e = maps ? map_list_find(maps, ip) : NULL;
                if (e && e->path)
                        f.module = clean_strdup(e->path);
                if (add_frame(ls, &f) < 0) {
                        free(f.function);
                        free(f.module);
                        _UPT_destroy(upt);
                        return -ENOMEM;
                }
                t->count++;
                r = unw_step(&cursor);
                if (r == 0)
                        break;
                if (r < 0) {
                        if (asprintf(&t->error, "unwinding stopped at frame #%d: %s", depth, unw_strerror(r)) < 0)
                                t->error = NULL;
                        break;
                }
        }
        _UPT_destroy(upt);
        return 0;
}

int live_stacks_unwind(struct live_stacks *ls, const pid_t *tids, size_t ntids, const struct map_list *maps,
                       unsigned max_frames)
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
                int r = unwind_thread(ls, as, tids[i], maps, &ls->threads[i]);
                ls->nthreads = i + 1;
                if (r < 0)
                        return r;
        }
        return 0;
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
                        if (f->function)
                                fprintf(out, " %s", f->function);
                        if (modules && f->module)
                                fprintf(out, " - %s", f->module);
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
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < ls->n; i++) {
                const struct live_frame_rec *r = &ls->v[i];
                fprintf(f, "%d\t%d\t%llx\t%s\t%llx\t%s\n", (int)r->tid, r->depth, (unsigned long long)r->pc,
                        r->function ? r->function : "", (unsigned long long)r->offset, r->module ? r->module : "");
        }
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *text = buf;
        *len = size;
        return 0;
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
