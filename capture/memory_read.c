/* Implementation of memory_read.h: process_vm_readv, then /proc/PID/mem. */
#include "memory_read.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/io.h"

#define SPANS_PER_CALL 1024 /* UIO_MAXIOV */

void memory_reader_init(struct memory_reader *m, pid_t pid, int proc_fd, size_t page_size)
{
        *m = (struct memory_reader)MEMORY_READER_INIT;
        m->pid = pid;
        m->proc_fd = proc_fd;
        m->page_size = page_size;
}

void memory_reader_close(struct memory_reader *m)
{
        if (m->mem_fd >= 0)
                close(m->mem_fd);
        m->mem_fd = -1;
}

/* pread of /proc/PID/mem; returns bytes, 0 when the process is gone, or -errno. */
static ssize_t mem_pread(struct memory_reader *m, void *dst, size_t len, uint64_t addr)
{
        if (m->mem_fd < 0) {
                m->mem_fd = openat(m->proc_fd, "mem", O_RDONLY | O_CLOEXEC);
                if (m->mem_fd < 0)
                        return errno == ENOENT ? 0 : -errno;
        }
        return io_pread_full(m->mem_fd, dst, len, (off_t)addr);
}

/* Reads span bytes [off, len) through /proc/PID/mem, page by page where needed. */
static int read_fallback(struct memory_reader *m, const struct mem_span *sp, size_t off, memory_bad_fn bad, void *ud)
{
        uint64_t bad_start = 0, bad_end = 0;
        int bad_err = 0;

        while (off < sp->len) {
                /* Up to the next page boundary first, so a failure isolates one page. */
                uint64_t addr = sp->addr + off;
                size_t chunk = (size_t)(m->page_size - addr % m->page_size);
                if (chunk > sp->len - off)
                        chunk = sp->len - off;
                ssize_t r = mem_pread(m, sp->dst + off, chunk, addr);
                if (r == 0)
                        return -ESRCH;
                if (r > 0) {
                        m->fallback_bytes += (uint64_t)r;
                        off += (size_t)r;
                        continue;
                }
                memset(sp->dst + off, 0, chunk);
                m->bad_bytes += chunk;
                if (bad_end == addr && bad_err == (int)-r) {
                        bad_end = addr + chunk;
                } else {
                        if (bad_end > bad_start && bad)
                                bad(ud, bad_start, bad_end, bad_err);
                        bad_start = addr;
                        bad_end = addr + chunk;
                        bad_err = (int)-r;
                }
                off += chunk;
        }
        if (bad_end > bad_start && bad)
                bad(ud, bad_start, bad_end, bad_err);
        return 0;
}

int memory_read_spans(struct memory_reader *m, const struct mem_span *spans, size_t n, memory_bad_fn bad, void *ud)
{
        struct iovec local[SPANS_PER_CALL], remote[SPANS_PER_CALL];
        size_t i = 0;

        while (i < n) {
                size_t k = n - i < SPANS_PER_CALL ? n - i : SPANS_PER_CALL;
                size_t want = 0;
                for (size_t j = 0; j < k; j++) {
                        local[j] = (struct iovec){ spans[i + j].dst, spans[i + j].len };
                        remote[j] = (struct iovec){ (void *)(uintptr_t)spans[i + j].addr, spans[i + j].len };
                        want += spans[i + j].len;
                }
                ssize_t got = process_vm_readv(m->pid, local, k, remote, k, 0);
                if (got < 0) {
                        if (errno == ESRCH)
                                return -ESRCH;
                        got = 0; /* EFAULT and friends: the first span needs the fallback */
                }
                if ((size_t)got == want) {
                        i += k;
                        continue;
                }
                /* Skip the spans read whole; the one where it stopped goes the slow way. */
                size_t done = (size_t)got;
                while (i < n && done >= spans[i].len) {
                        done -= spans[i].len;
                        i++;
                }
                if (i >= n)
                        break;
                int r = read_fallback(m, &spans[i], done, bad, ud);
                if (r < 0)
                        return r;
                i++;
        }
        return 0;
}
