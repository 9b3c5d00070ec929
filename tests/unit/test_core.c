/*
 * Unit tests for analyze/core/core.c: cores written byte by byte by
 * core_builder.c — well-formed, truncated, crafted — read back with
 * core_open, checked against what was written.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "analyze/reach/chunk_hash.h"
#include "analyze/core/core.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/memsnap_note.h"
#include "core_builder.h"

struct opened {
        struct core c;
        struct warnings w;
        char *path;
        int r;
};

static void open_built(struct opened *o, const struct core_builder *b)
{
        memset(o, 0, sizeof(*o));
        o->path = cb_write_temp(b);
        o->r = core_open(&o->c, o->path, &o->w);
}

static void close_built(struct opened *o)
{
        core_close(&o->c);
        warnings_free(&o->w);
        unlink(o->path);
        free(o->path);
}

static bool warned(const struct opened *o, const char *needle)
{
        for (size_t i = 0; i < o->w.n; i++)
                if (strstr(o->w.v[i].message, needle))
                        return true;
        return false;
}

/* A kernel-shaped core: two threads, two segments (written out of order), the usual notes. */
static void kernel_like(struct core_builder *b)
{
        static const uint8_t stack[8192] = { [0] = 's', [8191] = 'S' };
        uint8_t text[4096];
        memset(text, 0x90, sizeof(text));
        memcpy(text + 100, "hello\0", 6);

        cb_init(b);
        cb_prstatus(b, 100, 11, 0x401000, 0x7ff000001000, 0x7f0000000740);
        cb_prpsinfo(b, 100, 1, "prog", "/usr/bin/prog -x ");
        cb_siginfo(b, 11);
        const uint64_t auxv[][2] = { { AT_PAGESZ, 4096 }, { AT_ENTRY, 0x401000 } };
        cb_auxv(b, &auxv[0][0], 2);
        const struct cb_file files[] = { { 0x400000, 0x402000, 0, "/usr/bin/prog" } };
        cb_nt_file(b, files, 1, 4096);
        cb_prstatus(b, 101, 0, 0x401010, 0x7ff000000800, 0x7f0000001740);
        cb_load(b, 0x7ff000000000, 0x2000, stack, sizeof(stack), PF_R | PF_W);
        cb_load(b, 0x400000, 0x2000, text, sizeof(text), PF_R | PF_X); /* second page not in the core */
}

static void test_kernel_like(void **state)
{
        (void)state;
        struct core_builder b;
        struct opened o;
        kernel_like(&b);
        open_built(&o, &b);

        assert_int_equal(o.r, 0);
        assert_int_equal(o.w.n, 0);
        assert_int_equal(o.c.nsegs, 2);
        assert_int_equal(o.c.segs[0].vaddr, 0x400000); /* sorted */
        assert_int_equal(o.c.segs[0].filesz, 4096);
        assert_int_equal(o.c.segs[0].memsz, 0x2000);
        assert_int_equal(o.c.segs[1].vaddr, 0x7ff000000000);

        assert_int_equal(o.c.nthreads, 2);
        assert_int_equal(o.c.threads[0].tid, 100);
        assert_int_equal(o.c.threads[0].cursig, 11);
        assert_int_equal(o.c.threads[0].regs.rip, 0x401000);
        assert_int_equal(o.c.threads[1].regs.rsp, 0x7ff000000800);
        assert_int_equal(o.c.threads[1].regs.fs_base, 0x7f0000001740);

        /* The notes' descriptors are 4-aligned only; the copies are usable all the same. */
        assert_non_null(o.c.prpsinfo);
        assert_int_equal(o.c.prpsinfo->pr_pid, 100);
        assert_string_equal(o.c.prpsinfo->pr_fname, "prog");
        assert_non_null(o.c.siginfo);
        assert_int_equal(o.c.siginfo->si_signo, 11);
        uint64_t v = 0;
        assert_true(core_auxv(&o.c, AT_PAGESZ, &v));
        assert_int_equal(v, 4096);
        assert_false(core_auxv(&o.c, AT_EXECFN, &v));

        assert_int_equal(o.c.nfiles, 1);
        assert_string_equal(o.c.files[0].path, "/usr/bin/prog");
        assert_int_equal(o.c.file_page_size, 4096);
        assert_int_equal(o.c.source, CORE_SOURCE_KERNEL);

        close_built(&o);
        cb_free(&b);
}

static void test_memory(void **state)
{
        (void)state;
        struct core_builder b;
        struct opened o;
        uint8_t a[4096], c[4096];
        memset(a, 'a', sizeof(a));
        memset(c, 'c', sizeof(c));
        memcpy(a + 4090, "abc", 3); /* a string that runs into the next segment */
        c[0] = 'd';
        c[1] = '\0';

        cb_init(&b);
        cb_prstatus(&b, 1, 0, 0, 0, 0);
        cb_load(&b, 0x10000, 0x1000, a, sizeof(a), PF_R);
        cb_load(&b, 0x11000, 0x2000, c, sizeof(c), PF_R); /* adjacent; its second page is a hole */
        open_built(&o, &b);
        assert_int_equal(o.r, 0);

        uint8_t buf[16];
        assert_true(core_read(&o.c, 0x10ff8, buf, 16)); /* across the boundary */
        assert_memory_equal(buf, "aaabcaaad\0cccccc", 16);
        assert_false(core_read(&o.c, 0x11ff8, buf, 16)); /* into the hole */
        assert_false(core_read(&o.c, 0x20000, buf, 1));   /* no segment */
        assert_non_null(core_ptr(&o.c, 0x10000, 4096));
        assert_null(core_ptr(&o.c, 0x10ff8, 16));         /* not within one segment */

        /* stepping over holes: the segment holding an address, else the next one above it */
        assert_int_equal(core_segment_from(&o.c, 0)->vaddr, 0x10000);
        assert_int_equal(core_segment_from(&o.c, 0x10fff)->vaddr, 0x10000);
        assert_int_equal(core_segment_from(&o.c, 0x11000)->vaddr, 0x11000);
        assert_int_equal(core_segment_from(&o.c, 0x12fff)->vaddr, 0x11000);
        assert_null(core_segment_from(&o.c, 0x13000));
        /* holding it or nothing */
        assert_null(core_segment_at(&o.c, 0xffff));
        assert_int_equal(core_segment_at(&o.c, 0x10000)->vaddr, 0x10000);
        assert_int_equal(core_segment_at(&o.c, 0x12fff)->vaddr, 0x11000);
        assert_null(core_segment_at(&o.c, 0x13000));
        assert_null(core_segment_at(&o.c, UINT64_MAX));

        char *s = core_read_string(&o.c, 0x10ffa, 64);
        assert_non_null(s);
        assert_string_equal(s, "abcaaad");
        free(s);
        assert_null(core_read_string(&o.c, 0x10ffa, 3));  /* longer than max */
        assert_null(core_read_string(&o.c, 0x11002, 8192)); /* runs into the hole before any NUL */

        close_built(&o);
        cb_free(&b);
}

#define PG 4096u

/*
 * A sparse core: the file system's holes inside a segment's bytes read as
 * zeros, are told apart from data (core_span_at), and are never handed out
 * as file bytes (core_ptr); past p_filesz the bytes are unknown until
 * core_mark_zero_tail vouches for them.  The holes are punched into the
 * written file (as memsnap and the kernel leave untouched pages out); a
 * file system that cannot punch them skips the test.
 */
static void test_sparse_file(void **state)
{
        (void)state;
        struct core_builder b;
        struct opened o;
        const uint64_t va = 0x7f0000000000;
        uint8_t *mem = calloc(12, PG); /* the segment as the process had it: 8 pages in the file, 4 past it */

        for (unsigned i = 0; i < 8; i++)
                if (i != 2 && i != 3 && i != 6)
                        memset(mem + i * PG, 'A' + i, PG);
        memcpy(mem + 2 * PG - 3, "xyz", 3); /* a string whose NUL is in the hole after it */

        cb_init(&b);
        cb_prstatus(&b, 1, 0, 0, 0, 0);
        cb_load(&b, va, 12 * PG, mem, 8 * PG, PF_R | PF_W);
        open_built(&o, &b);
        assert_int_equal(o.r, 0);
        uint64_t off = o.c.segs[0].offset;
        core_close(&o.c);
        warnings_free(&o.w);

        /* Punch whole file blocks inside pages 2-3 and 6 (zeros already): the segment may not start on one. */
        int fd = open(o.path, O_RDWR | O_CLOEXEC);
        assert_true(fd >= 0);
        struct stat before, after;
        assert_int_equal(fstat(fd, &before), 0);
        uint64_t h1 = ALIGN_UP(off + 2 * PG, PG), h1_end = ALIGN_DOWN(off + 4 * PG, PG);
        uint64_t h2 = ALIGN_UP(off + 6 * PG, PG), h2_end = ALIGN_DOWN(off + 7 * PG, PG);
        int r1 = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)h1, (off_t)(h1_end - h1));
        int r2 = h2 < h2_end ? fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)h2, (off_t)(h2_end - h2)) : 0;
        assert_int_equal(fstat(fd, &after), 0);
        close(fd);
        if (r1 < 0 || r2 < 0 || after.st_blocks >= before.st_blocks) {
                unlink(o.path);
                free(o.path);
                cb_free(&b);
                free(mem);
                skip(); /* this file system keeps no holes */
        }
        o.r = core_open(&o.c, o.path, &o.w);
        assert_int_equal(o.r, 0);
        const struct core *c = &o.c;
        struct core_span sp;
        uint64_t hole = va + (h1 - off), hole_end = va + (h1_end - off);

        core_span_at(c, va, &sp);
        assert_int_equal(sp.kind, CORE_SPAN_DATA);
        assert_int_equal(sp.start, va);
        assert_int_equal(sp.end, hole);
        assert_ptr_equal(sp.bytes, c->data + off);
        core_span_at(c, hole + 100, &sp);
        assert_int_equal(sp.kind, CORE_SPAN_ZERO);
        assert_int_equal(sp.start, hole);
        assert_int_equal(sp.end, hole_end);
        assert_null(sp.bytes);
        core_span_at(c, hole_end, &sp);
        assert_int_equal(sp.kind, CORE_SPAN_DATA);
        assert_int_equal(sp.start, hole_end);
        assert_int_equal(sp.bytes[0], (h1_end - off) % PG ? 0 : 'E');

        /* Reads see the process's bytes, holes as zeros; a pointer is given only inside one data run. */
        uint8_t *buf = malloc(12 * PG);
        assert_true(core_read(c, va, buf, 8 * PG));
        assert_memory_equal(buf, mem, 8 * PG);
        assert_non_null(core_ptr(c, va, (size_t)(hole - va)));
        assert_null(core_ptr(c, va, (size_t)(hole - va) + 1));
        assert_null(core_ptr(c, hole, 8));
        char *str = core_read_string(c, va + 2 * PG - 3, 64);
        assert_non_null(str);
        assert_string_equal(str, "xyz");
        free(str);

        /* Past p_filesz: unknown, until the tail is vouched for. */
        core_span_at(c, va + 8 * PG, &sp);
        assert_int_equal(sp.kind, CORE_SPAN_ABSENT);
        assert_false(core_read(c, va + 8 * PG - 8, buf, 16));
        assert_int_equal(chunk_hash_in_core(c, &(struct core_span){ 0 }, va + 16, 12 * PG - 16), 0);
        assert_false(core_mark_zero_tail(&o.c, va + PG)); /* not a segment's start */
        assert_true(core_mark_zero_tail(&o.c, va));
        core_span_at(c, va + 11 * PG, &sp);
        assert_int_equal(sp.kind, CORE_SPAN_ZERO);
        assert_int_equal(sp.end, va + 12 * PG);
        assert_true(core_read(c, va, buf, 12 * PG));
        assert_memory_equal(buf, mem, 12 * PG);
        str = core_read_string(c, va + 9 * PG, 8); /* zeros: an empty string */
        assert_non_null(str);
        assert_string_equal(str, "");
        free(str);

        /* A block hashed through the holes and the tail hashes as its bytes read whole. */
        struct core_span hint = { 0 };
        for (uint64_t start = 16; start < 4 * PG; start += PG + 8)
                assert_int_equal(chunk_hash_in_core(c, &hint, va + start, 12 * PG - start),
                                 chunk_hash(mem + start, 12 * PG - start));
        assert_int_equal(chunk_hash_in_core(c, &hint, va + 2 * PG + 8, 64), chunk_hash(mem + 2 * PG + 8, 64));

        free(buf);
        free(mem);
        close_built(&o);
        cb_free(&b);
}

/* A segment cut short by the end of the file: its missing bytes are not known, whatever a note says. */
static void test_zero_tail_refused_when_truncated(void **state)
{
        (void)state;
        struct core_builder b;
        struct opened o;
        uint8_t page[PG];
        memset(page, 'q', sizeof(page));

        cb_init(&b);
        cb_prstatus(&b, 1, 0, 0, 0, 0);
        cb_load(&b, 0x10000, 4 * PG, page, PG, PF_R | PF_W);
        cb_load(&b, 0x20000, 4 * PG, page, PG, PF_R | PF_W);
        open_built(&o, &b);
        assert_int_equal(o.r, 0);
        size_t cut = (size_t)o.c.segs[1].offset + 100;
        close_built(&o);
        b.truncate_at = cut;
        open_built(&o, &b);
        assert_int_equal(o.r, 0);
        assert_true(o.c.segs[1].truncated);
        assert_false(core_mark_zero_tail(&o.c, 0x20000));
        assert_true(core_mark_zero_tail(&o.c, 0x10000));
        uint8_t buf[16];
        assert_true(core_read(&o.c, 0x10000 + 4 * PG - 16, buf, 16));
        assert_false(core_read(&o.c, 0x20000 + 100, buf, 16));
        close_built(&o);
        cb_free(&b);
}

static void test_overlap_and_truncation(void **state)
{
        (void)state;
        struct core_builder b;
        struct opened o;
        uint8_t page[4096] = { 0 };

        cb_init(&b);
        cb_prstatus(&b, 1, 0, 0, 0, 0);
        cb_load(&b, 0x10000, 0x2000, page, sizeof(page), PF_R);
        cb_load(&b, 0x11000, 0x1000, page, sizeof(page), PF_R);  /* overlaps the first */
        cb_load(&b, 0x20000, 0x1000, page, sizeof(page), PF_R | PF_W);
        b.loads[2].offset_delta = 1 << 20;                         /* its bytes lie past the end */
        cb_load(&b, 0x30000, 0, NULL, 0, PF_R);                    /* empty */
        open_built(&o, &b);

        assert_int_equal(o.r, 0);
        assert_int_equal(o.c.nsegs, 2);
        assert_true(warned(&o, "overlaps"));
        assert_true(warned(&o, "runs past the end of the file"));
        assert_true(warned(&o, "empty or wrapping"));
        const struct core_segment *s = core_segment_at(&o.c, 0x20000);
        assert_non_null(s);
        assert_true(s->truncated);
        assert_int_equal(s->filesz, 0);

        close_built(&o);
        cb_free(&b);
}

static void test_truncated_file(void **state)
{
        (void)state;
        struct core_builder b;
        struct opened o;

        /* Cut inside the notes: the notes before the cut survive, with a warning at the offset. */
        kernel_like(&b);
        b.truncate_at = cb_notes_offset(&b) + 400; /* past the first PRSTATUS, inside PRPSINFO */
        open_built(&o, &b);
        assert_int_equal(o.r, 0);
        assert_int_equal(o.c.nthreads, 1);
        assert_null(o.c.prpsinfo);
        assert_true(warned(&o, "runs past the end of the file"));
        assert_true(warned(&o, "offset"));
        close_built(&o);

        /* Cut inside the program headers: not a core memsnap can read at all. */
        b.truncate_at = sizeof(Elf64_Ehdr) + 10;
        open_built(&o, &b);
        assert_true(o.r < 0);
        close_built(&o);

        /* Cut inside the ELF header. */
        b.truncate_at = 20;
        open_built(&o, &b);
        assert_true(o.r < 0);
        close_built(&o);
        cb_free(&b);
}

static void test_bad_notes(void **state)
{
        (void)state;
        struct core_builder b;
        struct opened o;
        uint8_t short_status[100] = { 0 };
        uint64_t absurd[4] = { 1ull << 40, 4096, 0, 0 };

        cb_init(&b);
        cb_note(&b, "CORE", NT_PRSTATUS, short_status, sizeof(short_status));
        cb_note(&b, "CORE", NT_FILE, absurd, sizeof(absurd));
        cb_prstatus(&b, 7, 0, 0, 0, 0);
        cb_note(&b, "CORE", NT_PRPSINFO, short_status, 10);
        open_built(&o, &b);
        assert_int_equal(o.r, 0);
        assert_int_equal(o.c.nthreads, 1);
        assert_int_equal(o.c.threads[0].tid, 7);
        assert_int_equal(o.c.nfiles, 0);
        assert_null(o.c.prpsinfo);
        assert_true(warned(&o, "NT_PRSTATUS"));
        assert_true(warned(&o, "claims"));
        assert_true(warned(&o, "NT_PRPSINFO"));
        close_built(&o);
        cb_free(&b);

        /* A note whose size runs past its segment ends the walk there. */
        cb_init(&b);
        cb_prstatus(&b, 7, 0, 0, 0, 0);
        cb_prstatus(&b, 8, 0, 0, 0, 0);
        char *path = cb_write_temp(&b);
        FILE *f = fopen(path, "r+b");
        size_t second = cb_notes_offset(&b) + sizeof(Elf64_Nhdr) + 8 + sizeof(prstatus_t);
        uint32_t huge = 0x7fffffff;
        fseek(f, (long)(second + 4), SEEK_SET); /* n_descsz of the second note */
        fwrite(&huge, 4, 1, f);
        fclose(f);
        memset(&o, 0, sizeof(o));
        o.path = path;
        o.r = core_open(&o.c, path, &o.w);
        assert_int_equal(o.r, 0);
        assert_int_equal(o.c.nthreads, 1);
        assert_true(warned(&o, "runs past its segment"));
        close_built(&o);
        cb_free(&b);

        /*
         * A PT_NOTE whose offset and size are 2^64 - 1 (tests/fuzz/fuzz_core.c
         * found it read at that offset): warned about, and no note read.
         */
        cb_init(&b);
        cb_prstatus(&b, 7, 0, 0, 0, 0);
        path = cb_write_temp(&b);
        f = fopen(path, "r+b");
        const uint64_t far = UINT64_MAX;
        fseek(f, (long)(sizeof(Elf64_Ehdr) + offsetof(Elf64_Phdr, p_offset)), SEEK_SET);
        fwrite(&far, sizeof(far), 1, f);
        fseek(f, (long)(sizeof(Elf64_Ehdr) + offsetof(Elf64_Phdr, p_filesz)), SEEK_SET);
        fwrite(&far, sizeof(far), 1, f);
        fclose(f);
        memset(&o, 0, sizeof(o));
        o.path = path;
        o.r = core_open(&o.c, path, &o.w);
        assert_int_equal(o.r, 0);
        assert_int_equal(o.c.nnotes, 0);
        assert_true(warned(&o, "runs past the end of the file"));
        close_built(&o);
        cb_free(&b);
}

static void test_nt_file_order(void **state)
{
        (void)state;
        struct core_builder b;
        struct opened o;
        const struct cb_file files[] = {
                { 0x30000, 0x31000, 2, "/c" },
                { 0x10000, 0x12000, 0, "/a" },
                { 0x11000, 0x13000, 1, "/overlaps-a" },
                { 0x20000, 0x20000, 0, "/empty" },
                { 0x40000, 0x41000, 1ull << 60, "/absurd-offset" },
        };

        cb_init(&b);
        cb_prstatus(&b, 1, 0, 0, 0, 0);
        cb_nt_file(&b, files, ELEMENTSOF(files), 4096);
        open_built(&o, &b);
        assert_int_equal(o.r, 0);
        assert_int_equal(o.c.nfiles, 2);
        assert_string_equal(o.c.files[0].path, "/a");
        assert_string_equal(o.c.files[1].path, "/c");
        assert_int_equal(o.c.files[1].offset, 2 * 4096);
        assert_string_equal(core_file_at(&o.c, 0x11fff)->path, "/a");
        assert_string_equal(core_file_at(&o.c, 0x30000)->path, "/c");
        assert_null(core_file_at(&o.c, 0x12000));
        assert_null(core_file_at(&o.c, 0xffff));
        assert_null(core_file_at(&o.c, 0x31000));
        assert_true(warned(&o, "overlaps"));
        assert_true(warned(&o, "2 entries with an empty range or an absurd offset"));
        close_built(&o);
        cb_free(&b);
}

static void test_not_a_core(void **state)
{
        (void)state;
        struct core_builder b;
        struct opened o;

        cb_init(&b);
        b.ei_class = ELFCLASS32;
        open_built(&o, &b);
        assert_true(o.r < 0);
        close_built(&o);

        b.ei_class = ELFCLASS64;
        b.ei_data = ELFDATA2MSB;
        open_built(&o, &b);
        assert_true(o.r < 0);
        close_built(&o);

        b.ei_data = ELFDATA2LSB;
        b.e_type = ET_EXEC;
        open_built(&o, &b);
        assert_true(o.r < 0);
        close_built(&o);

        b.e_type = ET_CORE;
        b.e_machine = EM_AARCH64;
        open_built(&o, &b);
        assert_true(o.r < 0);
        close_built(&o);
        cb_free(&b);

        /* No program headers at all: an ELF core with nothing in it. */
        cb_init(&b);
        open_built(&o, &b);
        assert_int_equal(o.r, 0); /* one PT_NOTE, empty */
        assert_true(warned(&o, "no NT_PRSTATUS"));
        close_built(&o);
        cb_free(&b);

        /* An empty file, a directory, a missing file, text. */
        char empty[] = "/tmp/memsnap-unit-empty.XXXXXX";
        int fd = mkstemp(empty);
        close(fd);
        struct core c;
        struct warnings w = { 0 };
        assert_true(core_open(&c, empty, &w) < 0);
        core_close(&c);
        fd = open(empty, O_WRONLY);
        assert_int_equal(write(fd, "not an ELF file at all\n", 24), 24);
        close(fd);
        assert_true(core_open(&c, empty, &w) < 0);
        core_close(&c);
        unlink(empty);
        assert_true(core_open(&c, "/tmp", &w) < 0);
        core_close(&c);
        assert_true(core_open(&c, "/nonexistent/core", &w) < 0);
        core_close(&c);
        warnings_free(&w);
}

static void test_sources(void **state)
{
        (void)state;
        struct core_builder b;
        struct opened o;

        cb_init(&b);
        cb_prstatus(&b, 1, 0, 0, 0, 0);
        cb_note(&b, MEMSNAP_NOTE_NAME, MEMSNAP_NT_SETTINGS, "pid=1\n", 6);
        open_built(&o, &b);
        assert_int_equal(o.c.source, CORE_SOURCE_MEMSNAP);
        close_built(&o);
        cb_free(&b);

        cb_init(&b);
        cb_prstatus(&b, 1, 0, 0, 0, 0);
        cb_prpsinfo(&b, 1, 0, "x", "x");
        cb_note(&b, "GDB", 0xff000000, "<target/>", 9);
        open_built(&o, &b);
        assert_int_equal(o.c.source, CORE_SOURCE_GCORE);
        close_built(&o);
        cb_free(&b);

        cb_init(&b);
        cb_prpsinfo(&b, 1, 0, "x", "x");
        cb_prstatus(&b, 1, 0, 0, 0, 0);
        b.section_headers = true;
        open_built(&o, &b);
        assert_int_equal(o.c.source, CORE_SOURCE_GCORE);
        close_built(&o);
        cb_free(&b);

        /* Neither: PRPSINFO first is not the kernel's order. */
        cb_init(&b);
        cb_prpsinfo(&b, 1, 0, "x", "x");
        cb_prstatus(&b, 1, 0, 0, 0, 0);
        open_built(&o, &b);
        assert_int_equal(o.c.source, CORE_SOURCE_UNKNOWN);
        close_built(&o);
        cb_free(&b);
}

static void test_bounds(void **state)
{
        (void)state;
        struct core_builder b;
        struct opened o;
        static uint64_t auxv[2 * (CORE_AUXV_MAX + 10)];

        for (size_t i = 0; i < CORE_AUXV_MAX + 10; i++) {
                auxv[2 * i] = AT_IGNORE;
                auxv[2 * i + 1] = i;
        }
        cb_init(&b);
        cb_prstatus(&b, 1, 0, 0, 0, 0);
        cb_auxv(&b, auxv, CORE_AUXV_MAX + 10);
        open_built(&o, &b);
        assert_int_equal(o.r, 0);
        assert_int_equal(o.c.auxv_count, CORE_AUXV_MAX);
        assert_true(warned(&o, "NT_AUXV"));
        close_built(&o);
        cb_free(&b);
}

int main(void)
{
        log_set_level(LOG_LEVEL_ERROR + 0);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_kernel_like),
                cmocka_unit_test(test_memory),
                cmocka_unit_test(test_sparse_file),
                cmocka_unit_test(test_zero_tail_refused_when_truncated),
                cmocka_unit_test(test_overlap_and_truncation),
                cmocka_unit_test(test_truncated_file),
                cmocka_unit_test(test_bad_notes),
                cmocka_unit_test(test_nt_file_order),
                cmocka_unit_test(test_not_a_core),
                cmocka_unit_test(test_sources),
                cmocka_unit_test(test_bounds),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
