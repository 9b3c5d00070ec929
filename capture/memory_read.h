/*
 * Reading the stopped target's memory: process_vm_readv for everything it
 * takes (one system call for up to IOV_MAX spans), and pread on
 * /proc/PID/mem, page by page, for what it refuses (pages the kernel will
 * only hand to a ptracer with FOLL_FORCE, such as execute-only or
 * PROT_NONE-after-the-fact mappings).  A page neither can read is zeroed in
 * the destination and reported, so the capture records it and goes on.
 *
 * Callers pass only pages pagemap says are present: reading an absent page
 * would fault it into the target.
 *
 * A reader with by_proc_mem reads everything through /proc/PID/mem.  That
 * is for a fork capture's copy-on-write child: process_vm_readv pins the
 * pages it reads (FOLL_PIN), and a read-only pin of an anonymous page that
 * the child still shares with the target makes the kernel copy it first
 * (mm/gup.c, gup_must_unshare), which would copy the whole snapshot;
 * /proc/PID/mem takes references without pinning, and copies nothing.
 */
#ifndef MEMSNAP_MEMORY_READ_H
#define MEMSNAP_MEMORY_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mem_span {
        uint64_t addr;   /* in the target */
        size_t len;
        uint8_t *dst;    /* len bytes of ours */
};

/* Reports [start, end) as unreadable, with the errno of the last attempt. */
typedef void (*memory_bad_fn)(void *ud, uint64_t start, uint64_t end, int err);

struct memory_reader {
        pid_t pid;
        int proc_fd;            /* /proc/PID, not owned */
        int mem_fd;             /* /proc/PID/mem, opened at the first fallback */
        size_t page_size;
        uint64_t fallback_bytes; /* read through /proc/PID/mem */
        uint64_t bad_bytes;      /* read by neither */
        bool by_proc_mem;        /* never process_vm_readv: see above */
};

#define MEMORY_READER_INIT { .proc_fd = -1, .mem_fd = -1 }

void memory_reader_init(struct memory_reader *m, pid_t pid, int proc_fd, size_t page_size);
void memory_reader_close(struct memory_reader *m);

/*
 * Fills every span.  Returns 0 (unreadable pages zeroed and reported
 * through bad), or -ESRCH when the process is gone.
 */
int memory_read_spans(struct memory_reader *m, const struct mem_span *spans, size_t n, memory_bad_fn bad, void *ud);

#endif
