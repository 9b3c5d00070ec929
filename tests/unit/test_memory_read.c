/*
 * Unit tests for capture/memory_read.c, on memsnap's own memory: spans read
 * by process_vm_readv, a PROT_NONE page only /proc/PID/mem can read (with
 * FOLL_FORCE), and a hole neither can, which is zeroed and reported.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/memory_read.h"

#define PS 4096

struct bad {
        uint64_t start, end;
        int err, calls;
};

static void on_bad(void *ud, uint64_t start, uint64_t end, int err)
{
        struct bad *b = ud;
        b->start = start;
        b->end = end;
        b->err = err;
        b->calls++;
}

static void test_spans(void **state)
{
        (void)state;
        /* Four pages: readable, PROT_NONE, unmapped, readable. */
        uint8_t *m = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        assert_true(m != MAP_FAILED);
        for (int i = 0; i < 4; i++)
                memset(m + i * PS, 0x10 + i, PS);
        assert_int_equal(mprotect(m + PS, PS, PROT_NONE), 0);
        assert_int_equal(munmap(m + 2 * PS, PS), 0);

        int proc_fd = open("/proc/self", O_RDONLY | O_DIRECTORY);
        assert_true(proc_fd >= 0);
        struct memory_reader r;
        memory_reader_init(&r, getpid(), proc_fd, PS);

        uint8_t *dst = malloc(4 * PS + 64);
        memset(dst, 0xff, 4 * PS + 64);
        struct mem_span spans[] = {
                { (uintptr_t)m + 100, 64, dst + 4 * PS },     /* small, before the trouble */
                { (uintptr_t)m, 4 * PS, dst },                /* all four pages */
        };
        struct bad bad = { 0 };
        assert_int_equal(memory_read_spans(&r, spans, 2, on_bad, &bad), 0);
        for (int i = 0; i < 64; i++)
                assert_int_equal(dst[4 * PS + i], 0x10);
        for (int i = 0; i < PS; i++) {
                assert_int_equal(dst[i], 0x10);
                assert_int_equal(dst[PS + i], 0x11);   /* read through /proc/self/mem */
                assert_int_equal(dst[2 * PS + i], 0);  /* the hole, zeroed */
                assert_int_equal(dst[3 * PS + i], 0x13);
        }
        assert_int_equal(bad.calls, 1);
        assert_int_equal(bad.start, (uintptr_t)m + 2 * PS);
        assert_int_equal(bad.end, (uintptr_t)m + 3 * PS);
        assert_true(bad.err != 0);
        assert_true(r.fallback_bytes >= 2 * PS);
        assert_int_equal(r.bad_bytes, PS);

        memory_reader_close(&r);
        free(dst);
        close(proc_fd);
        munmap(m, PS);
        munmap(m + PS, PS);
        munmap(m + 3 * PS, PS);
}

int main(void)
{
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_spans) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
