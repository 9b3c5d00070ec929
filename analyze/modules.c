/*
 * The `modules` table: every ELF object loaded in the process, found by
 * libdwfl in the core (dwfl_core_file_report reads the link map and the ELF
 * headers the core holds), with the files on disk checked against the core.
 *
 * Symbols and unwind tables come from a file only when its build-id equals
 * the one in the core: a binary rebuilt or replaced since the core was
 * written would name the wrong functions.  libdwfl itself refuses such a
 * file; this stage reads the file's own build-id note as well, so the
 * database and the warnings say which module is missing or stale and why.
 *
 * The Dwfl stays open in struct analysis for the later stages: threads
 * unwinds through it, heap looks up main_arena and mp_ through each
 * module's Dwfl_Module.  Each module's index + 1 is stored as its libdwfl
 * userdata, so an address maps to a module id without a search.
 */
#include <elf.h>
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/path_deleted.h"
#include "analyze/core/elf_util.h"
#include "stages.h"

#define MODULES_MAX 65536   /* far above any process; bounds a crafted link map */
#define PHDRS_MAX 4096      /* program headers read from core memory */

/*
 * What to call a module: the path of the file mapped at its start, as NT_FILE
 * gives it (libdwfl names libraries by their SONAME, "libc.so.6"), "[vdso]"
 * for the vdso, else libdwfl's name.
 */
static char *module_path(const struct core *c, uint64_t start, const char *dwfl_name, bool *deleted)
{
        const char *path = dwfl_name ? dwfl_name : "";
        uint64_t vdso;

        /* A search, not a scan: a crafted core can pair a long link map with a long NT_FILE. */
        const struct core_file_map *f = core_file_at(c, start);
        if (f)
                path = f->path;
        if (core_auxv(c, AT_SYSINFO_EHDR, &vdso) && vdso == start)
                path = "[vdso]";

        return strndup(path, path_deleted_strip(path, strlen(path), deleted));
}

struct collect {
        struct analysis *a;
        size_t cap;
        int error;      /* -ENOMEM: the list is incomplete, and the stage fails */
};

static int collect_module(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr start, void *arg)
{
        struct collect *col = arg;
        struct analysis *a = col->a;
        (void)userdata;

        if (a->modules.n >= MODULES_MAX) {
                warnings_add(&a->warnings, "modules", start, "more than %d modules; the rest are left out", MODULES_MAX);
                return DWARF_CB_ABORT;
        }
        if (ARRAY_RESERVE(a->modules.v, col->cap, a->modules.n + 1) < 0) {
                col->error = -ENOMEM;
                return DWARF_CB_ABORT;
        }
        Dwarf_Addr end = start;
        dwfl_module_info(mod, NULL, NULL, &end, NULL, NULL, NULL, NULL);

        struct module *m = &a->modules.v[a->modules.n++];
        *m = (struct module){
                .start = start, .end = end, .dwfl_mod = mod,
                .text_size = -1, .data_size = -1, .bss_size = -1,
        };
        m->path = module_path(&a->core, start, name, &m->deleted);

        /* The core's build-id: ask before dwfl_module_getelf, which may swap in a file's. */
        const unsigned char *bits;
        GElf_Addr vaddr;
        int n = dwfl_module_build_id(mod, &bits, &vaddr);
        if (n > 0 && n <= BUILD_ID_MAX)
                m->build_id = elf_util_build_id_hex(bits, (size_t)n);
        if (!m->path || (n > 0 && n <= BUILD_ID_MAX && !m->build_id)) {
                col->error = -ENOMEM;
                return DWARF_CB_ABORT;
        }
        return DWARF_CB_OK;
}

static int module_cmp(const void *x, const void *y)
{
        const struct module *a = x, *b = y;
        return a->start < b->start ? -1 : a->start > b->start;
}

/* A file's own NT_GNU_BUILD_ID as hex; NULL when it has none.  -errno (*why says it) when unreadable. */
static int file_build_id(const char *path, char **out, const char **why)
{
        _cleanup_close_ int fd = elf_util_open(path, why);
        *out = NULL;
        if (fd < 0)
                return fd;
        _cleanup_(elf_endp) Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
        if (!elf || elf_kind(elf) != ELF_K_ELF) {
                *why = "not an ELF file";
                return -ENOEXEC;
        }
        const void *bits;
        ssize_t n = dwelf_elf_gnu_build_id(elf, &bits);
        if (n > 0 && n <= BUILD_ID_MAX && !(*out = elf_util_build_id_hex(bits, (size_t)n)))
                return -ENOMEM;
        return 0;
}

static bool is_pseudo(const char *path) { return !path[0] || path[0] == '['; }

/* Compares the module's file on disk with the core; -ENOMEM (logged) is the only failure. */
static int check_file(struct analysis *a, struct module *m)
{
        const char *path = m->is_main && a->opt.executable ? a->opt.executable : m->path;

        if (is_pseudo(path) || (path[0] != '/' && !(m->is_main && a->opt.executable))) {
                /* The vdso and friends live in the core alone. */
                m->file_status = MODULE_FILE_IN_CORE;
                return 0;
        }
        if (a->opt.core_only) {
                m->file_status = MODULE_FILE_NOT_READ;
                return 0;
        }
        const char *why = NULL;
        int r = file_build_id(path, &m->file_build_id, &why);
        if (r == -ENOMEM)
                return log_error_errno(r, "cannot analyze '%s': %m", a->opt.core_path);
        if (r < 0) {
                m->file_status = MODULE_FILE_MISSING;
                warnings_add(&a->warnings, "modules", m->start,
                             "module '%s'%s: cannot read the file (%s): symbols and unwind tables come only from what the core holds",
                             path, m->deleted ? " (deleted)" : "", why ? why : strerror(-r));
                return 0;
        }
        if (!m->build_id) {
                m->file_status = MODULE_FILE_NO_BUILD_ID;
                warnings_add(&a->warnings, "modules", m->start,
                             "module '%s': the core holds no build-id for it, so the file on disk cannot be checked against it",
                             path);
                return 0;
        }
        if (!m->file_build_id || strcmp(m->build_id, m->file_build_id) != 0) {
                m->file_status = MODULE_FILE_MISMATCH;
                warnings_add(&a->warnings, "modules", m->start,
                             "module '%s'%s: the file's build-id is %s, the core's is %s: it was rebuilt or replaced since the core was written; its symbols are not used",
                             path, m->deleted ? " (deleted, and a different file is there now)" : "",
                             m->file_build_id ? m->file_build_id : "missing", m->build_id);
                return 0;
        }
        m->file_status = MODULE_FILE_OK;
        return 0;
}

static int phdrs_from_elf(struct module *m, Elf *elf)
{
        size_t phnum;
        if (elf_getphdrnum(elf, &phnum) < 0 || phnum == 0 || phnum > PHDRS_MAX)
                return -EINVAL;
        m->phdrs = calloc(phnum, sizeof(*m->phdrs));
        if (!m->phdrs)
                return -ENOMEM;
        for (size_t i = 0; i < phnum; i++) {
                GElf_Phdr ph;
                if (!gelf_getphdr(elf, (int)i, &ph))
                        continue;
                m->phdrs[m->nphdrs++] = (Elf64_Phdr){
                        .p_type = ph.p_type, .p_flags = ph.p_flags, .p_offset = ph.p_offset,
                        .p_vaddr = ph.p_vaddr, .p_paddr = ph.p_paddr, .p_filesz = ph.p_filesz,
                        .p_memsz = ph.p_memsz, .p_align = ph.p_align,
                };
        }
        return 0;
}

/* The ELF and program headers at the module's start, as the core holds them. */
static int phdrs_from_core(struct analysis *a, struct module *m)
{
        Elf64_Ehdr eh;
        if (!core_read(&a->core, m->start, &eh, sizeof(eh)) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
            eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
            eh.e_phnum > PHDRS_MAX)
                return -EINVAL;
        uint64_t need = (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
        if (m->start > UINT64_MAX - need || eh.e_phoff > UINT64_MAX - need - m->start)
                return -EINVAL;
        Elf64_Phdr *v = calloc(eh.e_phnum, sizeof(*v));
        if (!v)
                return -ENOMEM;
        if (!core_read(&a->core, m->start + eh.e_phoff, v, eh.e_phnum * sizeof(*v))) {
                free(v);
                return -EINVAL;
        }
        m->phdrs = v;
        m->nphdrs = eh.e_phnum;
        return 0;
}

/*
 * text, data and bss as `size` counts them, from program headers: the file
 * bytes of read-only PT_LOADs are text, of writable ones data, and what a
 * writable PT_LOAD has in memory past its file bytes is bss.  (`size` adds
 * up sections instead, so the ELF headers and the padding between sections
 * make our text a little larger, and .tbss makes its bss larger.)
 */
static void sizes_from_phdrs(struct module *m)
{
        m->text_size = m->data_size = m->bss_size = 0;
        for (size_t i = 0; i < m->nphdrs; i++) {
                const Elf64_Phdr *ph = &m->phdrs[i];
                if (ph->p_type != PT_LOAD)
                        continue;
                uint64_t filesz = MIN(ph->p_filesz, ph->p_memsz);
                if (ph->p_flags & PF_W) {
                        m->data_size += (int64_t)filesz;
                        m->bss_size += (int64_t)(ph->p_memsz - filesz);
                } else {
                        m->text_size += (int64_t)filesz;
                }
        }
}

/* The first PT_LOAD holds the ELF header, which starts the module's first page. */
static void bias_from_phdrs(struct module *m, uint64_t page_size)
{
        for (size_t i = 0; i < m->nphdrs; i++)
                if (m->phdrs[i].p_type == PT_LOAD) {
                        m->load_bias = m->start - ALIGN_DOWN(m->phdrs[i].p_vaddr, page_size);
                        return;
                }
}

static int describe(struct analysis *a, struct module *m, uint64_t entry, bool have_entry, uint64_t page_size)
{
        Dwfl_Module *mod = m->dwfl_mod;
        GElf_Addr bias = 0;

        m->is_main = have_entry ? entry >= m->start && entry < m->end
                                : (a->snap.exe && strcmp(a->snap.exe, m->path) == 0);
        int r = check_file(a, m);
        if (r < 0)
                return r;

        /* Finds and opens the file (only one whose build-id matches) and its debug info. */
        Elf *elf = dwfl_module_getelf(mod, &bias);
        if (elf) {
                m->load_bias = bias;
                Dwarf_Addr dwbias;
                dwfl_module_getdwarf(mod, &dwbias);
        }
        const char *mainfile = NULL, *debugfile = NULL;
        dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, &mainfile, &debugfile);
        /*
         * libdwfl leaves mainfile unset for a file it opened by the core's
         * name; an ELF it has while the file does not match was rebuilt
         * from the core's memory.
         */
        if (mainfile)
                m->elf_file = strdup(mainfile);
        else if (elf && m->file_status == MODULE_FILE_OK)
                m->elf_file = strdup(m->is_main && a->opt.executable ? a->opt.executable : m->path);
        if (debugfile && (!mainfile || strcmp(debugfile, mainfile) != 0) && !(m->debug_file = strdup(debugfile)))
                return log_error_errno(ENOMEM, "cannot analyze '%s': %m", a->opt.core_path);
        if ((mainfile || (elf && m->file_status == MODULE_FILE_OK)) && !m->elf_file)
                return log_error_errno(ENOMEM, "cannot analyze '%s': %m", a->opt.core_path);

        /* Headers from the file only when it is the very one loaded; else the core's copy of them. */
        r = elf && m->file_status == MODULE_FILE_OK ? phdrs_from_elf(m, elf) : -EINVAL;
        if (r == -EINVAL)
                r = phdrs_from_core(a, m);
        if (r == -ENOMEM)
                return log_error_errno(r, "cannot analyze '%s': %m", a->opt.core_path);
        if (r < 0) {
                m->text_size = m->data_size = m->bss_size = -1;
                return 0;
        }
        sizes_from_phdrs(m);
        if (!elf)
                bias_from_phdrs(m, page_size);
        return 0;
}

int modules_report(struct analysis *a)
{
        const char *err;

        /* libdwfl gets the core with its names checked (core_view.h), and no file with --core-only. */
        int r = core_view_open(&a->modules.view, &a->core, a->opt.core_only,
                               a->opt.max_segments ? a->opt.max_segments : SEGMENTS_DEFAULT);
        if (r < 0)
                return r;
        a->modules.callbacks = (Dwfl_Callbacks){
                .find_elf = a->opt.core_only ? elf_util_find_elf_none : elf_util_find_elf_checked,
                .find_debuginfo = a->opt.no_debuginfo || a->opt.core_only ? elf_util_find_debuginfo_none
                                                                           : dwfl_standard_find_debuginfo,
                /* A pointer to NULL means libdwfl's default path (/usr/lib/debug). */
                .debuginfo_path = (char **)&a->opt.debuginfo_path,
        };
        a->modules.dwfl = dwfl_begin(&a->modules.callbacks);
        if (!a->modules.dwfl)
                return log_error_errno(ENOMEM, "cannot analyze '%s': libdwfl: %s", a->opt.core_path, dwfl_errmsg(-1));

        dwfl_report_begin(a->modules.dwfl);
        int n = dwfl_core_file_report(a->modules.dwfl, a->modules.view.elf, a->opt.executable);
        if (n < 0)
                warnings_add(&a->warnings, "modules", 0, "libdwfl found no modules in the core: %s",
                             (err = dwfl_errmsg(-1)) ? err : "unknown error");
        if (dwfl_report_end(a->modules.dwfl, NULL, NULL) != 0)
                warnings_add(&a->warnings, "modules", 0, "libdwfl: %s", (err = dwfl_errmsg(-1)) ? err : "unknown error");

        struct collect col = { .a = a };
        dwfl_getmodules(a->modules.dwfl, collect_module, &col, 0);
        if (col.error)
                return log_error_errno(col.error, "cannot analyze '%s': listing the modules: %m", a->opt.core_path);
        qsort_safe(a->modules.v, a->modules.n, sizeof(*a->modules.v), module_cmp);

        uint64_t entry = 0;
        bool have_entry = core_auxv(&a->core, AT_ENTRY, &entry);
        uint64_t page_size = a->snap.page_size ? a->snap.page_size : 4096;
        for (size_t i = 0; i < a->modules.n; i++) {
                struct module *m = &a->modules.v[i];
                void **userdata;
                dwfl_module_info(m->dwfl_mod, &userdata, NULL, NULL, NULL, NULL, NULL, NULL);
                *userdata = (void *)(uintptr_t)(i + 1);
                r = describe(a, m, entry, have_entry, page_size);
                if (r < 0)
                        return r;
        }
        return 0;
}

int module_of(const struct analysis *a, Dwfl_Module *mod)
{
        void **userdata;
        if (!mod || !dwfl_module_info(mod, &userdata, NULL, NULL, NULL, NULL, NULL, NULL))
                return NO_ID;
        uintptr_t id = (uintptr_t)*userdata;
        return id >= 1 && id <= a->modules.n ? (int)(id - 1) : NO_ID;
}

void modules_reset(struct analysis *a)
{
        struct modules_result *m = &a->modules;
        for (size_t i = 0; i < m->n; i++) {
                free(m->v[i].path);
                free(m->v[i].build_id);
                free(m->v[i].file_build_id);
                free(m->v[i].elf_file);
                free(m->v[i].phdrs);
                free(m->v[i].debug_file);
        }
        free(m->v);
        if (m->dwfl)
                dwfl_end(m->dwfl);
        core_view_close(&m->view);
        *m = (struct modules_result){ 0 };
}
