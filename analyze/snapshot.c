/*
 * The `snapshot` row: who the process was and what it looked like to the
 * kernel, from the notes each producer leaves.
 *
 * memsnap cores carry the answers verbatim (MEMSNAP settings, cmdline and
 * status notes); gcore and kernel cores only NT_PRPSINFO, NT_AUXV, NT_FILE
 * and NT_SIGINFO, so each field falls back through what those hold, in the
 * order below, and stays NULL rather than guessed when none says:
 *   pid          settings pid, NT_PRPSINFO pr_pid, the first thread
 *   comm         settings comm, NT_PRPSINFO pr_fname, the status note's Name
 *   exe          settings exe, the NT_FILE mapping holding AT_ENTRY, the
 *                AT_EXECFN string in core memory, NT_PRPSINFO pr_fname
 *   cmdline      the cmdline note, the argv strings in core memory, NT_PRPSINFO
 *                pr_psargs (gcore puts only the program there, the kernel cuts it at 79 bytes)
 *   captured_at  settings captured_at only: a core's mtime is not when it was taken
 *   page_size    AT_PAGESZ, settings page_size, NT_FILE's page size
 * Settings values are escaped (common/text_escape.h) and read unescaped.
 */
#include <elf.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/keyval.h"
#include "common/log.h"
#include "common/memsnap_note.h"
#include "common/path_deleted.h"
#include "common/proc_status_mem.h"
#include "common/strbuf.h"
#include "common/text_escape.h"
#include "stages.h"

#define PATH_MAX_BYTES 4096      /* linux/limits.h: PATH_MAX */
#define PRARGSZ 80               /* linux/elfcore.h: ELF_PRARGSZ */
#define ARG_STRLEN_MAX (32 * 4096) /* linux/binfmts.h: MAX_ARG_STRLEN */
#define CMDLINE_MAX (1u << 20)   /* what we keep of a longer command line */
#define ARGS_MAX (1u << 20)      /* argv and envp entries walked */

struct settings {
        const char *text;
        size_t len;
};

/* A value as capture wrote it before escaping it (keyval_dup unescapes); NULL when absent. */
static char *setting(const struct settings *s, const char *key)
{
        return s->text ? keyval_dup(s->text, s->len, key) : NULL;
}

static bool setting_long(const struct settings *s, const char *key, long long min, long long max, long long *out)
{
        _cleanup_free_ char *v = setting(s, key);
        char *end;

        if (!v || !*v)
                return false;
        errno = 0;
        long long x = strtoll(v, &end, 10);
        if (errno || *end || x < min || x > max)
                return false;
        *out = x;
        return true;
}

/* " (deleted)" is the kernel's remark, not part of the path. */
static char *strip_deleted(char *path)
{
        bool deleted;
        if (path)
                path[path_deleted_strip(path, strlen(path), &deleted)] = '\0';
        return path;
}

/* A fixed-size char array from a note, which need not be NUL-terminated. */
static char *dup_field(const char *field, size_t size)
{
        size_t n = strnlen(field, size);
        return n ? strndup(field, n) : NULL;
}

static void read_pid(struct analysis *a, const struct settings *st)
{
        const struct core *c = &a->core;
        long long pid;
        int prpsinfo_pid = c->prpsinfo ? c->prpsinfo->pr_pid : 0;

        if (setting_long(st, "pid", 1, INT32_MAX, &pid)) {
                a->snap.pid = (int)pid;
                if (prpsinfo_pid > 0 && prpsinfo_pid != pid)
                        warnings_add(&a->warnings, "snapshot", 0,
                                     "the MEMSNAP settings say pid %lld, NT_PRPSINFO says %d; using %lld", pid,
                                     prpsinfo_pid, pid);
        } else if (prpsinfo_pid > 0) {
                a->snap.pid = prpsinfo_pid;
        } else if (c->nthreads) {
                a->snap.pid = c->threads[0].tid;
                warnings_add(&a->warnings, "snapshot", 0,
                             "the core has no NT_PRPSINFO: taking the first thread's id %d as the pid", a->snap.pid);
        }
        if (c->prpsinfo && c->prpsinfo->pr_ppid > 0)
                a->snap.ppid = c->prpsinfo->pr_ppid;
}

static char *find_exe(struct analysis *a, const struct settings *st)
{
        const struct core *c = &a->core;
        uint64_t v;

        char *exe = setting(st, "exe");
        if (exe && *exe)
                return exe;
        free(exe);
        if (core_auxv(c, AT_ENTRY, &v)) {
                const struct core_file_map *f = core_file_at(c, v);
                if (f)
                        return strdup(f->path);
        }
        if (core_auxv(c, AT_EXECFN, &v)) {
                exe = core_read_string(c, v, PATH_MAX_BYTES);
                if (exe && *exe)
                        return exe;
                free(exe);
        }
        if (c->prpsinfo)
                return dup_field(c->prpsinfo->pr_fname, sizeof(c->prpsinfo->pr_fname));
        return NULL;
}

/*
 * The start of argv on the process's initial stack, which the kernel lays
 * out as argc, argv[], NULL, envp[], NULL, auxv (fs/binfmt_elf.c
 * create_elf_tables): find NT_AUXV's copy of the auxv in the mapping that
 * holds the AT_EXECFN string, then step back over envp to argc.
 */
static bool find_argv(const struct core *c, uint64_t *argv, uint64_t *argc)
{
        uint64_t execfn;
        if (c->auxv_count < 2 || !core_auxv(c, AT_EXECFN, &execfn))
                return false;
        const struct core_segment *seg = core_segment_at(c, execfn);
        if (!seg || !seg->filesz)
                return false;
        const uint8_t *base = c->data + seg->offset;
        size_t len = (size_t)seg->filesz, needle = 2 * 16; /* two auxv pairs are unique enough */
        const uint8_t *hit = NULL;
        for (const uint8_t *p = base; len - (size_t)(p - base) >= needle;) {
                hit = memmem(p, len - (size_t)(p - base), c->auxv, needle);
                if (!hit || (size_t)(hit - base) % 8 == 0)
                        break;
                p = hit + 1;
                hit = NULL;
        }
        if (!hit)
                return false;

        uint64_t at = seg->vaddr + (uint64_t)(hit - base), word;
        /* envp's NULL, then envp back to argv's NULL. */
        if (at < seg->vaddr + 16 || !core_read_u64(c, at -= 8, &word) || word != 0)
                return false;
        for (size_t n = 0;; n++) {
                if (n > ARGS_MAX || at < seg->vaddr + 8 || !core_read_u64(c, at -= 8, &word))
                        return false;
                if (word == 0)
                        break;
        }
        /* argv back to argc: the word that counts the pointers after it. */
        for (uint64_t n = 0;; n++) {
                if (n > ARGS_MAX || at < seg->vaddr + 8 || !core_read_u64(c, at -= 8, &word))
                        return false;
                if (word == n) {
                        *argv = at + 8;
                        *argc = n;
                        return n > 0;
                }
        }
}

static char *cmdline_from_memory(const struct core *c, bool *complete)
{
        uint64_t argv, argc;
        if (!find_argv(c, &argv, &argc))
                return NULL;
        _cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
        *complete = true;
        for (uint64_t i = 0; i < argc; i++) {
                uint64_t p;
                if (!core_read_u64(c, argv + 8 * i, &p))
                        return NULL;
                _cleanup_free_ char *arg = core_read_string(c, p, ARG_STRLEN_MAX);
                if (!arg)
                        return NULL;
                size_t n = strlen(arg);
                if (out.len + n + 2 > CMDLINE_MAX) {
                        *complete = false;
                        break;
                }
                if (i)
                        strbuf_addch(&out, ' ');
                strbuf_add(&out, arg, n);
        }
        return strbuf_take(&out, NULL);
}

static void read_cmdline(struct analysis *a)
{
        const struct core *c = &a->core;
        const struct core_note *n = core_find_note(c, MEMSNAP_NOTE_NAME, MEMSNAP_NT_CMDLINE);

        if (n) {
                size_t len = n->descsz;
                while (len && n->desc[len - 1] == '\0')
                        len--;
                char *s = malloc(len + 1);
                if (!s)
                        return;
                for (size_t i = 0; i < len; i++)
                        s[i] = n->desc[i] ? (char)n->desc[i] : ' ';
                s[len] = '\0';
                a->snap.cmdline = s;
                a->snap.cmdline_complete = true;
                return;
        }
        a->snap.cmdline = cmdline_from_memory(c, &a->snap.cmdline_complete);
        if (a->snap.cmdline) {
                if (!a->snap.cmdline_complete)
                        warnings_add(&a->warnings, "snapshot", 0, "the command line is longer than %u bytes: it is cut",
                                     CMDLINE_MAX);
                return;
        }
        if (!c->prpsinfo)
                return;

        /*
         * fs/binfmt_elf.c fill_psinfo(): the first ELF_PRARGSZ - 1 bytes of
         * the arguments with NULs made spaces, so the final NUL of a short
         * command line shows as a trailing space; a long one is cut.
         */
        const char *raw = c->prpsinfo->pr_psargs;
        size_t len = strnlen(raw, sizeof(c->prpsinfo->pr_psargs));
        bool cut = len >= PRARGSZ - 1 && raw[len - 1] != ' ';
        while (len && raw[len - 1] == ' ')
                len--;
        a->snap.cmdline = len ? strndup(raw, len) : NULL;
        a->snap.cmdline_complete = !cut;
        if (cut)
                warnings_add(&a->warnings, "snapshot", 0,
                             "the command line comes from NT_PRPSINFO, which keeps only its first %d bytes: it is cut",
                             PRARGSZ - 1);
}

static void read_status(struct analysis *a)
{
        const struct core_note *n = core_find_note(&a->core, MEMSNAP_NOTE_NAME, MEMSNAP_NT_STATUS);
        struct snapshot_info *s = &a->snap;
        struct proc_status_mem ps;

        if (!n)
                return;
        if (proc_status_mem_parse((const char *)n->desc, n->descsz, &ps) < 0) {
                warnings_add(&a->warnings, "snapshot", 0,
                             "the MEMSNAP status note (file offset %llu, %zu bytes) is not /proc/PID/status text; no status figures",
                             (unsigned long long)n->file_offset, n->descsz);
                return;
        }
        s->vm_rss_kb = ps.vm_rss_kb;
        s->vm_size_kb = ps.vm_size_kb;
        s->vm_data_kb = ps.vm_data_kb;
        s->vm_stk_kb = ps.vm_stk_kb;
        s->vm_exe_kb = ps.vm_exe_kb;
        s->vm_lib_kb = ps.vm_lib_kb;
        s->vm_swap_kb = ps.vm_swap_kb;
        s->vm_hwm_kb = ps.vm_hwm_kb;
        s->vm_peak_kb = ps.vm_peak_kb;
        s->vm_pte_kb = ps.vm_pte_kb;
        s->rss_anon_kb = ps.rss_anon_kb;
        s->rss_file_kb = ps.rss_file_kb;
        s->rss_shmem_kb = ps.rss_shmem_kb;
        /* fs/proc/array.c proc_task_name: status escapes a newline and a backslash as we do. */
        if (!s->comm && ps.name[0])
                s->comm = text_escape_undo(ps.name, strlen(ps.name));
        if (!s->ppid && ps.ppid > 0 && ps.ppid <= INT32_MAX)
                s->ppid = (int)ps.ppid;
        if (ps.pid > 0 && s->pid > 0 && ps.pid != s->pid)
                warnings_add(&a->warnings, "snapshot", 0, "the MEMSNAP status note is of pid %lld, not %d",
                             (long long)ps.pid, s->pid);
}

static void read_page_size(struct analysis *a, const struct settings *st)
{
        uint64_t v;
        long long x;

        /* Bounds: a page is a power of two from 4 KiB to 1 GiB on any Linux. */
        if (core_auxv(&a->core, AT_PAGESZ, &v) && v >= 4096 && v <= (1u << 30) && !(v & (v - 1)))
                a->snap.page_size = v;
        else if (setting_long(st, "page_size", 4096, 1ll << 30, &x) && !(x & (x - 1)))
                a->snap.page_size = (uint64_t)x;
        else if (a->core.file_page_size >= 4096 && a->core.file_page_size <= (1u << 30))
                a->snap.page_size = a->core.file_page_size;
}

int snapshot_read(struct analysis *a)
{
        const struct core *c = &a->core;
        struct snapshot_info *s = &a->snap;
        const struct core_note *sn = core_find_note(c, MEMSNAP_NOTE_NAME, MEMSNAP_NT_SETTINGS);
        struct settings st = { sn ? (const char *)sn->desc : NULL, sn ? sn->descsz : 0 };

        s->source = c->source;
        s->pause_ms = -1;
        s->vm_rss_kb = s->vm_size_kb = s->vm_data_kb = s->vm_stk_kb = -1;
        s->vm_exe_kb = s->vm_lib_kb = s->vm_swap_kb = s->vm_hwm_kb = -1;
        s->vm_peak_kb = s->rss_anon_kb = s->rss_file_kb = s->rss_shmem_kb = -1;
        s->vm_pte_kb = -1;

        read_pid(a, &st);
        s->comm = setting(&st, "comm");
        if (s->comm && !*s->comm) {
                free(s->comm);
                s->comm = NULL;
        }
        if (!s->comm && c->prpsinfo)
                s->comm = dup_field(c->prpsinfo->pr_fname, sizeof(c->prpsinfo->pr_fname));
        s->exe = strip_deleted(find_exe(a, &st));
        read_cmdline(a);
        s->captured_at = setting(&st, "captured_at");
        read_page_size(a, &st);

        if (c->siginfo)
                s->signal = c->siginfo->si_signo;
        else if (c->nthreads)
                s->signal = c->threads[0].cursig;

        _cleanup_free_ char *pause = setting(&st, "pause_ms");
        if (pause) {
                char *end;
                double ms = strtod(pause, &end);
                /* strtod takes "inf" and "nan" too: no pause is either. */
                if (end != pause && !*end && isfinite(ms) && ms >= 0)
                        s->pause_ms = ms;
                else
                        warnings_add(&a->warnings, "snapshot", 0,
                                     "the MEMSNAP settings' pause_ms '%s' is not a number of milliseconds", pause);
        }
        read_status(a);
        return 0;
}

void snapshot_reset(struct analysis *a)
{
        struct snapshot_info *s = &a->snap;
        free(s->comm);
        free(s->exe);
        free(s->cmdline);
        free(s->captured_at);
        *s = (struct snapshot_info){ 0 };
}
