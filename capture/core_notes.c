/* Implementation of core_notes.h. */
#include "core_notes.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/path_deleted.h"

static struct timeval ticks_to_timeval(uint64_t ticks, long clk_tck)
{
        if (clk_tck <= 0)
                clk_tck = 100;
        return (struct timeval){
                .tv_sec = (time_t)(ticks / (uint64_t)clk_tck),
                .tv_usec = (suseconds_t)((ticks % (uint64_t)clk_tck) * 1000000 / (uint64_t)clk_tck),
        };
}

void core_notes_prstatus_fill(prstatus_t *st, const struct core_process_info *p, const struct core_thread_info *t)
{
        memset(st, 0, sizeof(*st));
        /* A live capture delivers no signal: pr_info and pr_cursig stay 0. */
        st->pr_sigpend = t->sigpend;
        st->pr_sighold = t->sighold;
        st->pr_pid = t->tid;
        st->pr_ppid = p->ppid;
        st->pr_pgrp = p->pgrp;
        st->pr_sid = p->sid;
        st->pr_utime = ticks_to_timeval(t->utime, p->clk_tck);
        st->pr_stime = ticks_to_timeval(t->stime, p->clk_tck);
        st->pr_cutime = ticks_to_timeval(p->cutime, p->clk_tck);
        st->pr_cstime = ticks_to_timeval(p->cstime, p->clk_tck);
        _Static_assert(sizeof(st->pr_reg) == sizeof(t->regs->gpr), "elf_gregset_t is user_regs_struct");
        memcpy(&st->pr_reg, &t->regs->gpr, sizeof(st->pr_reg));
        st->pr_fpvalid = t->regs->have_fpr;
}

void core_notes_prpsinfo_fill(prpsinfo_t *ps, const struct core_process_info *p)
{
        /* fs/binfmt_elf.c fill_psinfo: the state's index in "RSDTZW", '.' beyond. */
        static const char states[] = "RSDTZW";

        memset(ps, 0, sizeof(*ps));
        char letter = p->state == 't' ? 'T' : p->state;
        const char *at = letter ? strchr(states, letter) : NULL;
        ps->pr_state = at ? (char)(at - states) : 0;
        ps->pr_sname = at ? letter : '.';
        ps->pr_zomb = ps->pr_sname == 'Z';
        ps->pr_nice = (char)p->nice;
        ps->pr_flag = p->flags;
        ps->pr_uid = p->uid;
        ps->pr_gid = p->gid;
        ps->pr_pid = p->pid;
        ps->pr_ppid = p->ppid;
        ps->pr_pgrp = p->pgrp;
        ps->pr_sid = p->sid;
        memcpy(ps->pr_fname, p->comm, MIN(sizeof(ps->pr_fname) - 1, strnlen(p->comm, sizeof(p->comm))));

        /* The start of the command line, arguments joined by spaces, as the kernel does. */
        size_t len = MIN(p->cmdline_len, sizeof(ps->pr_psargs) - 1);
        if (p->cmdline)
                memcpy(ps->pr_psargs, p->cmdline, len);
        for (size_t i = 0; i < len; i++)
                if (ps->pr_psargs[i] == '\0')
                        ps->pr_psargs[i] = ' ';
        ps->pr_psargs[len] = '\0';
}

size_t core_notes_auxv_length(const uint8_t *auxv, size_t len)
{
        for (size_t off = 0; off + 16 <= len; off += 16) {
                uint64_t type;
                memcpy(&type, auxv + off, 8);
                if (type == AT_NULL)
                        return off + 16;
        }
        return len - len % 16;
}

int core_notes_file_build(const struct map_list *maps, size_t page_size, uint8_t **out, size_t *len)
{
        uint64_t count = 0;
        size_t names = 0;

        for (size_t i = 0; i < maps->n; i++)
                if (map_is_file(&maps->v[i])) {
                        count++;
                        names += strlen(maps->v[i].path) + 1 + (maps->v[i].deleted ? strlen(DELETED_SUFFIX) : 0);
                }
        size_t size = 16 + (size_t)count * 24 + names;
        uint8_t *buf = calloc(1, size);
        if (!buf)
                return -ENOMEM;

        uint64_t ps = page_size;
        memcpy(buf, &count, 8);
        memcpy(buf + 8, &ps, 8);
        uint8_t *ent = buf + 16;
        char *name = (char *)buf + 16 + count * 24;
        for (size_t i = 0; i < maps->n; i++) {
                const struct map_entry *e = &maps->v[i];
                if (!map_is_file(e))
                        continue;
                uint64_t v[3] = { e->start, e->end, e->offset / page_size };
                memcpy(ent, v, sizeof(v));
                ent += sizeof(v);
                size_t n = strlen(e->path);
                memcpy(name, e->path, n);
                name += n;
                if (e->deleted) {
                        memcpy(name, DELETED_SUFFIX, strlen(DELETED_SUFFIX));
                        name += strlen(DELETED_SUFFIX);
                }
                *name++ = '\0';
        }
        *out = buf;
        *len = size;
        return 0;
}

static int add_thread_regsets(struct note_buf *b, const struct core_thread_info *t)
{
        int r = 0;
        /* arch/x86/kernel/ptrace.c enum x86_regset_64: GENERAL, FP, IOPERM, XSTATE, SSP. */
        if (t->regs->have_fpr)
                r = note_buf_add(b, "CORE", NT_PRFPREG, &t->regs->fpr, sizeof(t->regs->fpr));
        if (r == 0 && t->regs->ioperm)
                r = note_buf_add(b, "LINUX", NT_386_IOPERM, t->regs->ioperm, t->regs->ioperm_len);
        if (r == 0 && t->regs->xstate)
                r = note_buf_add(b, "LINUX", NT_X86_XSTATE, t->regs->xstate, t->regs->xstate_len);
        return r;
}

int core_notes_build(struct note_buf *b, const struct core_process_info *p, const struct core_thread_info *threads,
                     size_t nthreads)
{
        int r;

        for (size_t i = 0; i < nthreads; i++) {
                prstatus_t st;
                core_notes_prstatus_fill(&st, p, &threads[i]);
                r = note_buf_add(b, "CORE", NT_PRSTATUS, &st, sizeof(st));
                if (r < 0)
                        return r;

                if (i == 0) {
                        prpsinfo_t ps;
                        core_notes_prpsinfo_fill(&ps, p);
                        r = note_buf_add(b, "CORE", NT_PRPSINFO, &ps, sizeof(ps));
                        if (r < 0)
                                return r;
                        if (p->auxv && p->auxv_len) {
                                r = note_buf_add(b, "CORE", NT_AUXV, p->auxv, core_notes_auxv_length(p->auxv, p->auxv_len));
                                if (r < 0)
                                        return r;
                        }
                        _cleanup_free_ uint8_t *files = NULL;
                        size_t flen;
                        r = core_notes_file_build(p->maps, p->page_size, &files, &flen);
                        if (r < 0)
                                return r;
                        r = note_buf_add(b, "CORE", NT_FILE, files, flen);
                        if (r < 0)
                                return r;
                }
                r = add_thread_regsets(b, &threads[i]);
                if (r < 0)
                        return r;
        }
        if (p->xsave_layout_n)
                return note_buf_add(b, "LINUX", NT_X86_XSAVE_LAYOUT, p->xsave_layout,
                                    p->xsave_layout_n * sizeof(*p->xsave_layout));
        return 0;
}
