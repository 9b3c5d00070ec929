/*
 * Unit tests for capture/parallel_read.c, on memsnap's own memory (and a
 * child's): every byte lands where its span says whatever the thread count
 * and however the spans cut across batches; PROT_NONE pages in many batches
 * come through each thread's own /proc/PID/mem; holes are zeroed and
 * reported one call at a time; a process that is gone, and an interrupt,
 * stop every thread, and none is left running.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/interrupt.h"
#include "common/cleanup.h"
#include "capture/parallel_read.h"

#define PS 4096
#define REGION (40u << 20)

static uint64_t word_at(size_t i)
{
        return (uint64_t)i * 0x9E3779B97F4A7C15ull ^ 0x5555;
}

static uint8_t *pattern_region(void)
{
        uint64_t *m = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        assert_true(m != MAP_FAILED);
        for (size_t i = 0; i < REGION / 8; i++)
                m[i] = word_at(i);
        return (uint8_t *)m;
}

/* The byte at offset off of the pattern region. */
static uint8_t pattern_byte(size_t off)
{
        uint64_t w = word_at(off / 8);
        uint8_t b[8];
        memcpy(b, &w, 8);
        return b[off % 8];
}

static int threads_running(void)
{
        DIR *d = opendir("/proc/self/task");
        int n = 0;
        assert_non_null(d);
        for (struct dirent *e; (e = readdir(d));)
                n += e->d_name[0] != '.';
        closedir(d);
        return n;
}

struct spans {
        struct mem_span v[4096];
        size_t n;
        uint64_t bytes;
};

static void add_span(struct spans *s, const uint8_t *m, size_t off, size_t len)
{
        assert_true(s->n < ELEMENTSOF(s->v));
        s->v[s->n++] = (struct mem_span){ (uintptr_t)m + off, len, NULL };
        s->bytes += len;
}

/*
 * Spans that cut across batches every way: 1500 single pages (more pieces
 * than one system call takes), a span longer than a batch, spans that start
 * and end inside a page, and 1 MiB spans for the rest.  Their destinations
 * are packed in reverse order, so an offset mixed up shows.
 */
static void make_spans(struct spans *s, const uint8_t *m, uint8_t *dst)
{
        s->n = 0;
        s->bytes = 0;
        size_t off = 0;
        for (int i = 0; i < 1500; i++, off += 2 * PS)
                add_span(s, m, off, PS);
        add_span(s, m, off, (9u << 20) + 3 * PS);
        off += (9u << 20) + 3 * PS;
        add_span(s, m, off + 100, (5u << 20) + 123);
        off += (6u << 20);
        add_span(s, m, off + 7, 1);
        off += PS;
        for (; off + (1u << 20) <= REGION; off += (1u << 20))
                add_span(s, m, off, 1u << 20);

        uint64_t at = 0;
        for (size_t i = s->n; i-- > 0;) {
                s->v[i].dst = dst + at;
                at += s->v[i].len;
        }
}

static void check_spans(const struct spans *s, const uint8_t *m)
{
        for (size_t i = 0; i < s->n; i++) {
                size_t off = (size_t)(s->v[i].addr - (uintptr_t)m);
                if (memcmp(s->v[i].dst, m + off, s->v[i].len) != 0)
                        fail_msg("span %zu (offset %zu, %zu bytes) differs", i, off, s->v[i].len);
        }
}

static void test_default_threads(void **state)
{
        (void)state;
        unsigned n = parallel_read_default_threads();
        assert_true(n >= 2);
        assert_true(n <= PARALLEL_READ_MAX_THREADS);
}

static void test_exact_bytes(void **state)
{
        (void)state;
        uint8_t *m = pattern_region();
        uint8_t *dst = malloc(REGION);
        static struct spans s;
        assert_non_null(dst);
        make_spans(&s, m, dst);
        assert_true(s.bytes <= REGION);

        int proc_fd = open("/proc/self", O_RDONLY | O_DIRECTORY);
        assert_true(proc_fd >= 0);
        const unsigned counts[] = { 1, 2, 3, 4, 16, 0 };
        for (size_t c = 0; c < 2 * ELEMENTSOF(counts); c++) {
                /* Each count twice: straight into place, then through a slice streamed into place. */
                bool stream = c >= ELEMENTSOF(counts);
                unsigned threads = counts[c % ELEMENTSOF(counts)];
                struct memory_reader mem;
                memory_reader_init(&mem, getpid(), proc_fd, PS);
                memset(dst, 0xee, REGION);
                struct parallel_read p = { .mem = &mem, .spans = s.v, .n = s.n, .threads = threads, .stream = stream };
                assert_int_equal(parallel_read_spans(&p), 0);
                check_spans(&s, m);
                unsigned want = threads ? threads : parallel_read_default_threads();
                /* 16 threads are more than there are batches: each started thread has one at least. */
                if (want <= 4)
                        assert_int_equal(p.threads_used, want);
                assert_in_range(p.threads_used, 1, want);
                assert_int_equal(mem.fallback_bytes, 0);
                assert_int_equal(mem.bad_bytes, 0);
                assert_int_equal(threads_running(), 1);
                memory_reader_close(&mem);
        }

        /* Fewer batches than threads: no idle thread is started; nothing at all is fine. */
        struct memory_reader mem;
        memory_reader_init(&mem, getpid(), proc_fd, PS);
        struct mem_span one = { (uintptr_t)m + 5, 3 * PS, dst };
        struct parallel_read p = { .mem = &mem, .spans = &one, .n = 1, .threads = 8 };
        assert_int_equal(parallel_read_spans(&p), 0);
        assert_int_equal(p.threads_used, 1);
        assert_memory_equal(dst, m + 5, 3 * PS);
        p.n = 0;
        assert_int_equal(parallel_read_spans(&p), 0);
        assert_int_equal(p.threads_used, 0);

        close(proc_fd);
        free(dst);
        munmap(m, REGION);
}

struct bad_log {
        atomic_int inside;       /* a call in progress */
        atomic_int overlaps;     /* calls that found another in progress */
        int no_errno;            /* calls without a reason */
        uint64_t bytes;
        int calls;
};

static void on_bad(void *ud, uint64_t start, uint64_t end, int err)
{
        struct bad_log *b = ud;
        if (atomic_exchange(&b->inside, 1))
                atomic_fetch_add(&b->overlaps, 1);
        b->no_errno += err == 0;
        b->bytes += end - start;
        b->calls++;
        usleep(2000); /* long enough for another thread to run into it */
        atomic_store(&b->inside, 0);
}

static void test_fallback_and_holes(void **state)
{
        (void)state;
        uint8_t *m = pattern_region();
        uint8_t *dst = malloc(REGION);
        assert_non_null(dst);
        /*
         * In every 4 MiB (a batch each): a PROT_NONE page, which only
         * /proc/PID/mem reads, and an unmapped page, which nothing reads.
         */
        const size_t step = 4u << 20;
        for (size_t off = 0; off < REGION; off += step) {
                assert_int_equal(mprotect(m + off + 16 * PS, PS, PROT_NONE), 0);
                assert_int_equal(munmap(m + off + 32 * PS, PS), 0);
        }
        int proc_fd = open("/proc/self", O_RDONLY | O_DIRECTORY);
        assert_true(proc_fd >= 0);
        struct memory_reader mem;
        memory_reader_init(&mem, getpid(), proc_fd, PS);
        struct mem_span sp = { (uintptr_t)m, REGION, dst };
        struct bad_log bad = { 0 };
        struct parallel_read p = {
                .mem = &mem, .spans = &sp, .n = 1, .threads = 4, .stream = true, .bad = on_bad, .bad_ud = &bad,
        };
        memset(dst, 0xee, REGION);
        assert_int_equal(parallel_read_spans(&p), 0);
        assert_int_equal(p.threads_used, 4);

        const size_t holes = REGION / step;
        for (size_t off = 0; off < REGION; off++) {
                bool hole = off % step >= 32 * PS && off % step < 33 * PS;
                if (dst[off] != (hole ? 0 : pattern_byte(off)))
                        fail_msg("byte at offset %zu is %#x", off, dst[off]);
        }
        assert_int_equal(bad.calls, holes);
        assert_int_equal(bad.bytes, holes * PS);
        assert_int_equal(atomic_load(&bad.overlaps), 0);
        assert_int_equal(bad.no_errno, 0);
        assert_int_equal(mem.bad_bytes, holes * PS);
        /* Each PROT_NONE page, at least, came through a thread's /proc/PID/mem. */
        assert_true(mem.fallback_bytes >= holes * PS);
        assert_int_equal(threads_running(), 1);

        memory_reader_close(&mem);
        close(proc_fd);
        free(dst);
        for (size_t off = 0; off < REGION; off += step) {
                munmap(m + off, 32 * PS);
                munmap(m + off + 33 * PS, step - 33 * PS);
        }
}

static void test_process_gone(void **state)
{
        (void)state;
        uint8_t *m = pattern_region();
        uint8_t *dst = malloc(REGION);
        assert_non_null(dst);
        pid_t child = fork();
        if (child == 0) {
                pause();
                _exit(0);
        }
        assert_true(child > 0);
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d", (int)child);
        int proc_fd = open(path, O_RDONLY | O_DIRECTORY);
        assert_true(proc_fd >= 0);
        kill(child, SIGKILL);
        assert_int_equal(waitpid(child, NULL, 0), child);

        struct memory_reader mem;
        memory_reader_init(&mem, child, proc_fd, PS);
        struct mem_span sp = { (uintptr_t)m, REGION, dst };
        struct parallel_read p = { .mem = &mem, .spans = &sp, .n = 1, .threads = 4, .stream = true };
        assert_int_equal(parallel_read_spans(&p), -ESRCH);
        assert_int_equal(threads_running(), 1);
        memory_reader_close(&mem);
        close(proc_fd);
        free(dst);
        munmap(m, REGION);
}

static void test_interrupted(void **state)
{
        (void)state;
        uint8_t *m = pattern_region();
        uint8_t *dst = malloc(REGION);
        assert_non_null(dst);
        struct interrupt_guard g;
        assert_int_equal(interrupt_guard_begin(&g), 0);
        int proc_fd = open("/proc/self", O_RDONLY | O_DIRECTORY);
        assert_true(proc_fd >= 0);
        struct memory_reader mem;
        memory_reader_init(&mem, getpid(), proc_fd, PS);

        /* A SIGINT waiting when the copy starts: it stops before the leader's first batch. */
        kill(getpid(), SIGINT);
        struct mem_span sp = { (uintptr_t)m, REGION, dst };
        struct parallel_read p = { .mem = &mem, .spans = &sp, .n = 1, .threads = 2, .intr = &g };
        assert_int_equal(parallel_read_spans(&p), -EINTR);
        assert_int_equal(g.signal, SIGINT);
        assert_int_equal(threads_running(), 1);

        interrupt_guard_end(&g);
        memory_reader_close(&mem);
        close(proc_fd);
        free(dst);
        munmap(m, REGION);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_threads),
                cmocka_unit_test(test_exact_bytes),
                cmocka_unit_test(test_fallback_and_holes),
                cmocka_unit_test(test_process_gone),
                cmocka_unit_test(test_interrupted),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
