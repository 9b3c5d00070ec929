/* Implementation of capture.h: the steps of one capture, in order. */
#include "capture.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "backing_file.h"
#include "common/atomic_file.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/memsnap_note.h"
#include "common/progress.h"
#include "common/units.h"
#include "config.h"
#include "core_notes.h"
#include "core_output.h"
#include "dump_plan.h"
#include "dump_read.h"
#include "elf_core_write.h"
#include "heap_guess.h"
#include "interrupt.h"
#include "live_stacks.h"
#include "own_vdso.h"
#include "memory_read.h"
#include "memsnap_notes.h"
#include "note_buf.h"
#include "pagemap.h"
#include "proc_read.h"
#include "ptrace_stop.h"
#include "skip_list.h"
#include "stage.h"
#include "target_check.h"
#include "target_info.h"
#include "test_hold.h"
#include "xsave_layout.h"

#define STAGE_ESTIMATE_SLACK 8 /* reserve 1/8 more than the resident set, for growth */

struct capture_job {
        const struct capture_options *o;
        pid_t pid;
        struct target_check target;
        int proc_fd;                  /* /proc/PID, owned by target */
        size_t page_size;
        bool stopped;                 /* every thread was stopped: ESRCH now means "exited midway" */

        struct atomic_file out;
        char *out_path;
        struct interrupt_guard intr;
        struct test_hold hold;        /* test-only phase hook (test_hold.h); off in normal runs */
        struct ptrace_stop stop;
        struct proc_stat pre_stat;    /* before the stop: the state the process was in */
        struct proc_status_mem pre_status;

        struct threads_early early;   /* threads' names and CPU times, read before the stop */
        int swap_areas;               /* areas /proc/swaps lists, before the stop (pagemap.h) */
        struct target_info ti;
        struct map_list maps;
        struct segment_facts *facts;
        enum segment_kind *kinds;
        struct segment_plan *plans;
        enum segment_malloc *malloc_use; /* guess_heaps' guess per mapping */
        struct pagemap pm;
        struct backing_files files;
        struct memory_reader mem;
        struct skip_list skips;
        struct dump_plan plan;
        struct stage stage;
        struct core_layout layout;
        struct live_stacks stacks;
        struct note_buf notes;
        struct timespec captured_at;
        struct progress progress;
        uint64_t direct_bytes;
        double pause_ms;
        const uint8_t *own_vdso;      /* memsnap's own [vdso] (own_vdso.h), NULL if none */
        size_t own_vdso_len;
};

static void capture_job_done(struct capture_job *j)
{
        /* The target first: whatever failed, it runs again. */
        ptrace_stop_done(&j->stop);
        progress_end(&j->progress);
        atomic_file_discard(&j->out);
        free(j->out_path);
        note_buf_free(&j->notes);
        live_stacks_free(&j->stacks);
        free(j->layout.loads);
        stage_release(&j->stage);
        dump_plan_free(&j->plan);
        skip_list_free(&j->skips);
        memory_reader_close(&j->mem);
        backing_files_close(&j->files);
        pagemap_close(&j->pm);
        free(j->malloc_use);
        free(j->plans);
        free(j->kinds);
        free(j->facts);
        map_list_free(&j->maps);
        target_info_free(&j->ti);
        threads_early_free(&j->early);
        target_check_close(&j->target);
        /* Last: a signal still pending is taken here, after the temporary file is gone. */
        interrupt_guard_end(&j->intr);
        test_hold_at(&j->hold, "exiting");
        test_hold_free(&j->hold);
}

/* Step 1: the target exists, is a process we may and can capture. */
static int check_target(struct capture_job *j)
{
        int r = target_check(&j->target, j->o->pid);
        if (r < 0)
                return r;
        j->pid = j->target.pid;
        j->proc_fd = j->target.proc_fd;
        j->pre_stat = j->target.stat;
        j->pre_status = j->target.status;
        return 0;
}

/* Many mapped files are kept open until the core is written. */
static void raise_fd_limit(void)
{
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void)setrlimit(RLIMIT_NOFILE, &rl);
        }
}

/*
 * The files behind the mappings, opened while the target still runs (each
 * open of map_files and read of an ELF header costs the stop otherwise);
 * what fails here is tried again, as anything new, during the stop.
 */
static void open_mapped_files(struct capture_job *j)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_(map_list_free) struct map_list maps = { 0 };
        size_t len, bad;

        j->files.proc_fd = j->proc_fd;
        if (proc_read_at(j->proc_fd, "maps", &text, &len) < 0 || proc_maps_parse(text, len, &maps, &bad) < 0 ||
            backing_files_open_all(&j->files, &maps) < 0)
                log_debug("cannot open the mapped files of process %d ahead: they are opened during the stop",
                          (int)j->pid);
}

/* Step 1, continued: the output file and the stage, before the target is touched. */
static int prepare(struct capture_job *j)
{
        const struct capture_options *o = j->o;
        int r;

        /*
         * Signals first: from here a SIGINT or SIGTERM is answered with exit 1
         * and a message, whatever step it meets, never with death by signal.
         */
        r = interrupt_guard_begin(&j->intr);
        if (r < 0)
                return log_error_errno(r, "cannot block signals: %m");
        /* One that came while the options were read waited for this: no stage is made for nothing. */
        if (interrupt_check(&j->intr))
                return -EINTR;

        j->page_size = (size_t)sysconf(_SC_PAGESIZE);
        j->swap_areas = pagemap_swap_areas_read();
        raise_fd_limit();
        own_vdso_find(&j->own_vdso, &j->own_vdso_len);

        if (o->output)
                j->out_path = strdup(o->output);
        else if (asprintf(&j->out_path, "core.%d", (int)j->pid) < 0)
                j->out_path = NULL;
        if (!j->out_path)
                return log_error_errno(ENOMEM, "cannot capture: %m");
        r = atomic_file_begin(&j->out, j->out_path, o->force, false);
        if (r < 0)
                return r;

        j->stage.limit = o->stage_limit_given ? o->stage_limit : stage_default_limit();
        /* Fault the stage in now, while the target still runs: the copy then pays no page faults. */
        int64_t kb = MAX(j->pre_status.rss_anon_kb, 0) + MAX(j->pre_status.rss_shmem_kb, 0);
        uint64_t estimate = (uint64_t)kb * 1024;
        estimate += estimate / STAGE_ESTIMATE_SLACK;
        struct timespec t0, t1;
        test_hold_at(&j->hold, "reserving");
        clock_gettime(CLOCK_MONOTONIC, &t0);
        r = stage_reserve(&j->stage, estimate, true);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (r < 0)
                log_debug("cannot reserve a stage of %llu bytes: %s", (unsigned long long)estimate, strerror(-r));
        else
                log_debug("stage of %zu bytes ready in %.1f ms, before the stop", j->stage.size, timespec_diff_ms(&t0, &t1));

        open_mapped_files(j);
        r = threads_early_read(&j->early, j->proc_fd);
        if (r < 0)
                return log_error_errno(r, "cannot read the threads of process %d: %m", (int)j->pid);
        /* The stage may have taken seconds: a user who gave up meanwhile is not made to wait for a stop. */
        if (interrupt_check(&j->intr))
                return -EINTR;
        return 0;
}

static bool first_page_present(struct capture_job *j, const struct map_entry *e)
{
        enum page_state st;
        return pagemap_page(&j->pm, e->start, e->swap_kb != 0, &st) == 0 && st == PAGE_PRESENT;
}

/* Reads len bytes at addr, which must lie in a present page. */
static int peek(struct capture_job *j, uint64_t addr, void *buf, size_t len)
{
        struct mem_span sp = { addr, len, buf };
        return memory_read_spans(&j->mem, &sp, 1, NULL, NULL);
}

/*
 * glibc's memory beyond [heap]: arena heaps and mmapped chunks (heap_guess.h),
 * guessed from each mapping's first bytes, as no heap walk has run; the
 * classifier turns the guess into a kind by the same rule analyze applies
 * to what its walk found (common/segment_kind.h segment_kind_malloc).
 */
static int guess_heaps(struct capture_job *j)
{
        for (size_t i = 0; i < j->maps.n; i++) {
                const struct map_entry *e = &j->maps.v[i];
                if (!map_is_anon(e) || strcmp(e->perms, "rw-p") != 0 || e->rss_kb == 0)
                        continue;
                if (!first_page_present(j, e))
                        continue;
                uint64_t head[HEAP_GUESS_HEAD_BYTES / 8];
                int r = peek(j, e->start, head, sizeof(head));
                if (r < 0)
                        return r;
                uint64_t len = e->end - e->start;
                if (heap_guess_arena_heap(e->start, len, head, j->page_size))
                        j->malloc_use[i] = SEGMENT_MALLOC_ARENA;
                else if (heap_guess_mmapped_chunk(e->start, len, head, j->page_size))
                        j->malloc_use[i] = SEGMENT_MALLOC_MMAPPED;
        }
        return 0;
}

/*
 * coredump_filter bit 4: the first page of an ELF file mapping goes in, for
 * its build-id.  A candidate is unchanged and at offset 0, so it holds the
 * file's first bytes: the file, opened before the stop, says whether they
 * are an ELF header; the memory is read only when the file could not be.
 */
static int find_elf_headers(struct capture_job *j)
{
        for (size_t i = 0; i < j->maps.n; i++) {
                const struct map_entry *e = &j->maps.v[i];
                if (!j->plans[i].elf_header_candidate)
                        continue;
                const struct backing_file *f = backing_file_get(&j->files, e);
                if (!f)
                        return log_error_errno(ENOMEM, "cannot capture: %m");
                bool elf = f->elf;
                if (f->fd < 0 && first_page_present(j, e)) {
                        unsigned char magic[SELFMAG];
                        int r = peek(j, e->start, magic, sizeof(magic));
                        if (r < 0)
                                return r;
                        elf = memcmp(magic, ELFMAG, SELFMAG) == 0;
                }
                if (elf)
                        j->plans[i].mode = DUMP_FIRST_PAGE;
        }
        return 0;
}

/* Step 2b: what each mapping is, and which ones go in. */
static int select_segments(struct capture_job *j)
{
        size_t bad = 0;
        int r = proc_maps_parse(j->ti.smaps, j->ti.smaps_len, &j->maps, &bad);
        if (r < 0)
                return log_error_errno(r, "cannot parse /proc/%d/smaps at line %zu: %m", (int)j->pid, bad);
        if (j->maps.n == 0)
                return -ESRCH;

        size_t n = j->maps.n;
        j->facts = calloc(n, sizeof(*j->facts));
        j->kinds = calloc(n, sizeof(*j->kinds));
        j->plans = calloc(n, sizeof(*j->plans));
        j->malloc_use = calloc(n, sizeof(*j->malloc_use));
        if (!j->facts || !j->kinds || !j->plans || !j->malloc_use)
                return log_error_errno(ENOMEM, "cannot capture: %m");

        r = pagemap_open(&j->pm, j->ti.mem_dir_fd, j->page_size);
        if (r < 0)
                return r == -ENOENT || r == -ESRCH ? -ESRCH
                                                   : log_error_errno(r, "cannot open /proc/%d/pagemap: %m", (int)j->pid);
        j->pm.swap_areas = j->swap_areas;
        memory_reader_init(&j->mem, j->ti.mem_tid, j->ti.mem_dir_fd, j->page_size);
        j->files.proc_fd = j->ti.mem_dir_fd;

        /* Kinds only decide anything when --segments names some: spare the stop otherwise. */
        if (j->o->select.kinds_given) {
                r = guess_heaps(j);
                if (r < 0)
                        return r;
        }

        _cleanup_free_ uint64_t *sps = calloc(j->ti.nthreads ? j->ti.nthreads : 1, sizeof(*sps));
        if (!sps)
                return log_error_errno(ENOMEM, "cannot capture: %m");
        for (size_t t = 0; t < j->ti.nthreads; t++)
                sps[t] = j->ti.threads[t].regs.gpr.rsp;
        size_t main_index = j->ti.nthreads && j->ti.threads[0].tid == j->pid ? 0 : SIZE_MAX;
        segment_select_facts_fill(&j->maps, sps, j->ti.nthreads, main_index, j->malloc_use, j->facts);
        segment_kind_classify(j->facts, n, j->kinds);
        segment_select(&j->maps, j->kinds, &j->o->select, j->plans);
        return find_elf_headers(j);
}

static int unwind_stacks(struct capture_job *j)
{
        _cleanup_free_ pid_t *tids = calloc(j->ti.nthreads ? j->ti.nthreads : 1, sizeof(*tids));
        if (!tids)
                return log_error_errno(ENOMEM, "cannot capture: %m");
        for (size_t t = 0; t < j->ti.nthreads; t++)
                tids[t] = j->ti.threads[t].tid;
        int r = live_stacks_unwind(&j->stacks, tids, j->ti.nthreads, j->o->max_frames);
        if (r < 0)
                return log_error_errno(r, "cannot unwind the stacks of process %d: %m", (int)j->pid);
        for (size_t t = 0; t < j->stacks.nthreads; t++) {
                const struct live_thread_rec *th = &j->stacks.threads[t];
                if (th->truncated)
                        log_warning("thread %d: stack cut after %u frames (-n 0 for no limit)", (int)th->tid,
                                    j->o->max_frames);
                if (th->error)
                        log_debug("thread %d: %s", (int)th->tid, th->error);
        }
        return 0;
}

/* Step 2c: every byte range, then where the bytes go. */
static int plan_dump(struct capture_job *j)
{
        struct dump_plan_input in = {
                .own_vdso = j->own_vdso, .own_vdso_len = j->own_vdso_len,
                .maps = &j->maps, .plans = j->plans, .select = &j->o->select, .pagemap = &j->pm,
                .files = &j->files, .skips = &j->skips, .read_swapped = j->o->read_swapped,
                .page_size = j->page_size,
        };
        int r = dump_plan_build(&j->plan, &in);
        if (r < 0)
                return r;

        j->layout.loads = calloc(j->maps.n, sizeof(*j->layout.loads));
        if (!j->layout.loads)
                return log_error_errno(ENOMEM, "cannot capture: %m");
        j->layout.nloads = j->maps.n;
        j->layout.page_size = j->page_size;
        for (size_t i = 0; i < j->maps.n; i++) {
                const struct map_entry *e = &j->maps.v[i];
                j->layout.loads[i] = (struct core_load){
                        .vaddr = e->start, .memsz = e->end - e->start, .filesz = j->plan.filesz[i],
                        .flags = core_load_flags(e->perms),
                };
        }

        uint64_t need = j->plan.memory_bytes;
        if (need > j->stage.size) {
                r = stage_reserve(&j->stage, need, false);
                if (r < 0)
                        log_debug("cannot grow the stage to %llu bytes: %s", (unsigned long long)need, strerror(-r));
        }
        if (need > j->stage.size) {
                /* Bytes will go to the file while stopped: their offsets must be fixed now. */
                char held[UNITS_BUF_MAX], total[UNITS_BUF_MAX];
                j->layout.notes_last = true;
                core_layout_compute(&j->layout);
                log_info("the stage holds %s of the %s to copy; the rest goes to '%s' while the process is stopped (--stage-limit raises the limit)",
                         units_format_bytes(held, j->stage.size), units_format_bytes(total, need), j->out_path);
        }
        return 0;
}

/* After "No space left on device": how much the core would have taken. */
static void log_space_needed(const struct capture_job *j)
{
        char need[UNITS_BUF_MAX];
        uint64_t bytes = j->plan.memory_bytes + j->plan.file_bytes + j->notes.len;
        log_error("the core needs up to %s (less where pages are zero); nothing was left behind",
                  units_format_bytes(need, bytes));
}

/* Step 2d: the copy. */
static int read_memory(struct capture_job *j)
{
        struct dump_read d = {
                .plan = &j->plan, .mem = &j->mem, .stage = &j->stage, .out_fd = j->out.fd,
                .out_path = j->out_path, .layout = j->layout.notes_last ? &j->layout : NULL,
                .skips = &j->skips, .progress = &j->progress, .intr = &j->intr, .page_size = j->page_size,
                .threads = j->o->copy_threads,
        };
        test_hold_at(&j->hold, "copying");
        progress_begin(&j->progress, "capture", j->plan.memory_bytes, true, j->o->quiet);
        int r = dump_read_memory(&d);
        progress_end(&j->progress);
        j->direct_bytes = d.direct_bytes;
        log_debug("%u threads copied into the stage", d.threads_used);
        if (r == -ENOBUFS)
                return log_error_errno(ENOMEM, "cannot stage %llu bytes of process %d: %m",
                                       (unsigned long long)j->plan.memory_bytes, (int)j->pid);
        if (r == -ENOSPC)
                log_space_needed(j);
        return r;
}

static int add_text_note(struct note_buf *b, uint32_t type, const void *text, size_t len)
{
        return note_buf_add(b, MEMSNAP_NOTE_NAME, type, text, len);
}

static int build_memsnap_notes(struct capture_job *j)
{
        const struct target_info *ti = &j->ti;
        int r;

        if ((r = add_text_note(&j->notes, MEMSNAP_NT_SMAPS, ti->smaps, ti->smaps_len)) < 0 ||
            (r = add_text_note(&j->notes, MEMSNAP_NT_STATUS, ti->status, ti->status_len)) < 0 ||
            (r = add_text_note(&j->notes, MEMSNAP_NT_STAT, ti->stat, ti->stat_len)) < 0 ||
            (r = add_text_note(&j->notes, MEMSNAP_NT_CMDLINE, ti->cmdline, ti->cmdline_len)) < 0)
                return r;

        struct utsname un;
        if (uname(&un) < 0)
                snprintf(un.release, sizeof(un.release), "?");
        struct capture_facts facts = {
                .version = MEMSNAP_VERSION, .captured_at = j->captured_at, .pid = j->pid, .exe = ti->exe,
                .comm = j->pre_stat.comm, .kernel = un.release, .page_size = j->page_size,
                .threads = ti->nthreads, .mappings = j->maps.n, .pause_ms = j->pause_ms,
                .select = &j->o->select, .read_swapped = j->o->read_swapped, .stacks = j->o->stacks,
                .stage_limit = j->stage.limit, .memory_bytes = j->plan.memory_bytes,
                .file_bytes = j->plan.file_bytes, .direct_bytes = j->direct_bytes,
        };
        _cleanup_free_ char *text = NULL;
        size_t len;
        if ((r = memsnap_notes_settings_format(&facts, &text, &len)) < 0 ||
            (r = add_text_note(&j->notes, MEMSNAP_NT_SETTINGS, text, len)) < 0)
                return r;
        free(text);
        text = NULL;

        if ((r = skip_list_format(&j->skips, &text, &len)) < 0 ||
            (r = add_text_note(&j->notes, MEMSNAP_NT_SKIPPED, text, len)) < 0)
                return r;
        free(text);
        text = NULL;

        _cleanup_free_ pid_t *tids = calloc(ti->nthreads ? ti->nthreads : 1, sizeof(*tids));
        _cleanup_free_ char **names = calloc(ti->nthreads ? ti->nthreads : 1, sizeof(*names));
        if (!tids || !names)
                return -ENOMEM;
        for (size_t t = 0; t < ti->nthreads; t++) {
                tids[t] = ti->threads[t].tid;
                names[t] = ti->threads[t].name;
        }
        if ((r = memsnap_notes_threads_format(tids, names, ti->nthreads, &text, &len)) < 0 ||
            (r = add_text_note(&j->notes, MEMSNAP_NT_THREADS, text, len)) < 0)
                return r;
        free(text);
        text = NULL;

        if (j->o->stacks) {
                if ((r = live_stacks_format(&j->stacks, &text, &len)) < 0 ||
                    (r = add_text_note(&j->notes, MEMSNAP_NT_STACKS, text, len)) < 0)
                        return r;
        }
        return 0;
}

/* Step 4a: every note, the kernel's first. */
static int build_notes(struct capture_job *j)
{
        const struct target_info *ti = &j->ti;
        struct core_process_info p = {
                .pid = j->pid, .ppid = j->pre_stat.ppid, .pgrp = j->pre_stat.pgrp, .sid = j->pre_stat.session,
                .cutime = ti->proc_stat.cutime, .cstime = ti->proc_stat.cstime, .clk_tck = sysconf(_SC_CLK_TCK),
                .state = j->pre_stat.state, .nice = j->pre_stat.nice, .flags = j->pre_stat.flags,
                .uid = ti->proc_status.uid[0], .gid = ti->proc_status.gid[0],
                .cmdline = ti->cmdline, .cmdline_len = ti->cmdline_len, .auxv = ti->auxv, .auxv_len = ti->auxv_len,
                .maps = &j->maps, .page_size = j->page_size,
        };
        /* The CPU's layout of the XSAVE area, for the components the kernel enabled (xsave_layout.h). */
        struct xsave_component layout[XSAVE_FEATURES_MAX];
        uint64_t xcr0;
        if (ti->nthreads && xsave_layout_area_xcr0(ti->threads[0].regs.xstate, ti->threads[0].regs.xstate_len, &xcr0)) {
                p.xsave_layout = layout;
                p.xsave_layout_n = xsave_layout_read(xcr0, layout);
        }
        /* TASK_COMM_LEN: the kernel's comm is 15 characters at most anyway. */
        memcpy(p.comm, j->pre_stat.comm, MIN(sizeof(p.comm) - 1, strlen(j->pre_stat.comm)));

        _cleanup_free_ struct core_thread_info *ct = calloc(ti->nthreads ? ti->nthreads : 1, sizeof(*ct));
        if (!ct)
                return log_error_errno(ENOMEM, "cannot capture: %m");
        for (size_t t = 0; t < ti->nthreads; t++) {
                const struct target_thread *th = &ti->threads[t];
                bool leader = th->tid == j->pid;
                ct[t] = (struct core_thread_info){
                        .tid = th->tid, .regs = &th->regs, .sigpend = th->status.sig_pnd,
                        .sighold = th->status.sig_blk,
                        /* fs/binfmt_elf.c fill_prstatus: the group leader carries the group's times. */
                        .utime = leader ? ti->proc_stat.utime : th->stat.utime,
                        .stime = leader ? ti->proc_stat.stime : th->stat.stime,
                };
        }
        int r = core_notes_build(&j->notes, &p, ct, ti->nthreads);
        if (r == 0)
                r = build_memsnap_notes(j);
        if (r < 0)
                return log_error_errno(r, "cannot build the notes of the core: %m");
        return 0;
}

/* Step 4b: the file, synced and named. */
static int write_core(struct capture_job *j)
{
        j->layout.notes_size = j->notes.len;
        core_layout_compute(&j->layout);

        test_hold_at(&j->hold, "writing");
        uint64_t staged = j->plan.memory_bytes - j->direct_bytes;
        progress_begin(&j->progress, "writing", staged + j->plan.file_bytes, true, j->o->quiet);
        struct core_output out = {
                .fd = j->out.fd, .path = j->out_path, .layout = &j->layout, .notes = &j->notes,
                .plan = &j->plan, .files = &j->files, .progress = &j->progress, .intr = &j->intr,
                .page_size = j->page_size,
        };
        int r = core_output_write(&out);
        progress_end(&j->progress);
        if (r == -ENOSPC)
                log_space_needed(j);
        if (r < 0)
                return r;
        /* The stage is no longer needed: give its memory back before the sync. */
        stage_release(&j->stage);

        struct stat st;
        uint64_t disk = fstat(j->out.fd, &st) == 0 ? (uint64_t)st.st_blocks * 512 : 0;
        test_hold_at(&j->hold, "renaming");
        /* The last moment a SIGINT can still keep the file from being named. */
        if (interrupt_check(&j->intr))
                return -EINTR;
        r = atomic_file_commit(&j->out);
        if (r < 0)
                return r;

        char mem[UNITS_BUF_MAX], files[UNITS_BUF_MAX], used[UNITS_BUF_MAX];
        log_info("%s: %zu threads, %zu mappings, %s of memory and %s of mapped files, %s on disk; paused %.0f ms",
                 j->out_path, j->ti.nthreads, j->maps.n, units_format_bytes(mem, j->plan.memory_bytes),
                 units_format_bytes(files, j->plan.file_bytes), units_format_bytes(used, disk), j->pause_ms);
        return 0;
}

/* -v: where the pause goes. */
static void debug_step(const struct capture_job *j, const char *what)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        log_debug("%-28s %8.1f ms into the stop", what, timespec_diff_ms(&j->stop.stopped_at, &now));
}

static int capture_steps(struct capture_job *j)
{
        int r;

        if ((r = check_target(j)) < 0 || (r = prepare(j)) < 0)
                return r;

        r = ptrace_stop_all(&j->stop, j->pid, j->proc_fd, &j->intr);
        if (r < 0)
                return r;
        j->stopped = true;
        clock_gettime(CLOCK_REALTIME, &j->captured_at);
        debug_step(j, "every thread stopped");

        if ((r = target_info_read(&j->ti, j->proc_fd, j->pid, &j->stop, &j->early)) < 0)
                return r;
        debug_step(j, "registers and /proc read");
        if ((r = select_segments(j)) < 0)
                return r;
        debug_step(j, "segments selected");
        if (j->o->stacks && (r = unwind_stacks(j)) < 0)
                return r;
        if (j->o->stacks)
                debug_step(j, "stacks unwound");
        if ((r = plan_dump(j)) < 0)
                return r;
        debug_step(j, "bytes planned");
        if ((r = read_memory(j)) < 0)
                return r;
        /* A SIGKILL to the target midway ends the stop: what was copied after it may be torn. */
        if (!ptrace_stop_held(&j->stop))
                return -ESRCH;
        debug_step(j, "memory copied");

        ptrace_stop_release(&j->stop);
        j->pause_ms = ptrace_stop_pause_ms(&j->stop);
        if (interrupt_check(&j->intr))
                return -EINTR;

        if (j->o->stacks)
                live_stacks_symbolize(&j->stacks, j->pid, &j->maps, j->own_vdso, j->own_vdso_len);
        if ((r = build_notes(j)) < 0 || (r = write_core(j)) < 0)
                return r;
        return 0;
}

int capture_run(const struct capture_options *o)
{
        _cleanup_(capture_job_done) struct capture_job j = {
                .o = o, .proc_fd = -1, .target = TARGET_CHECK_INIT, .out = ATOMIC_FILE_INIT, .stop = PTRACE_STOP_INIT,
                .ti = TARGET_INFO_INIT, .pm = PAGEMAP_INIT, .files = BACKING_FILES_INIT,
                .mem = MEMORY_READER_INIT, .hold = TEST_HOLD_INIT,
        };

        int r = test_hold_init(&j.hold);
        if (r < 0)
                return r;
        j.stop.hold = &j.hold;
        test_hold_at(&j.hold, "starting");
        r = capture_steps(&j);
        if (r == -EINTR) {
                /* Said once, here, when it is true: the target released, the file gone. */
                ptrace_stop_release(&j.stop);
                atomic_file_discard(&j.out);
                return log_error_errno(EINTR, "capture of process %d interrupted by %s: it runs on, nothing was written",
                                       (int)j.pid, interrupt_signal_name(j.intr.signal));
        }
        if (r == -ESRCH && j.stopped && !ptrace_stop_alive(&j.stop))
                return log_error_errno(ESRCH, "process %d exited during the capture; nothing was written", (int)j.pid);
        if (r == -ESRCH && j.stopped)
                return log_error_errno(ESRCH, "process %d went away during the capture; nothing was written", (int)j.pid);
        return r;
}
