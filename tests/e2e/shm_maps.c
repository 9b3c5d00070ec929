/*
 * shm_maps: a process holding every kind of shared memory a person reading
 * /proc/PID/maps calls shared memory, each touched so that cores hold it,
 * and one regular file mapped MAP_SHARED, which is a file, not shared memory:
 *   anon   mmap(MAP_SHARED | MAP_ANONYMOUS)    "/dev/zero (deleted)"
 *   posix  shm_open + mmap(MAP_SHARED)         "/dev/shm/memsnap-shm-PID"
 *   sysv   shmget + shmat                      "/SYSV00000000 (deleted)"
 *   memfd  memfd_create + mmap(MAP_SHARED)     "/memfd:memsnap-shm (deleted)"
 *   file   open + mmap(MAP_SHARED) of FILE     FILE
 * Each mapping has its own size, so no two can be taken for each other.
 *
 * Prints "pid P", then "shm KIND ADDR LEN" per shared mapping and
 * "file ADDR LEN", then "ready", and serves commands (sample_io.h);
 * "abort" calls abort() for a kernel core.  The POSIX object and the
 * SysV segment are removed at quit; the test removes the object if the
 * process dies first (the SysV segment is marked for removal at once).
 *
 * usage: shm_maps FILE
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#include "samples/sample_io.h"

#define PAGE 4096

static char posix_name[64];

static void *touched(void *p, size_t len, const char *what)
{
        if (p == MAP_FAILED || p == (void *)-1) {
                say("error %s: %s", what, strerror(errno));
                exit(1);
        }
        for (size_t i = 0; i < len; i += PAGE)
                ((volatile char *)p)[i] = (char)(i / PAGE + 1);
        return p;
}

static void *map_fd(int fd, size_t len, const char *what)
{
        if (fd < 0 || ftruncate(fd, (off_t)len) < 0) {
                say("error %s: %s", what, strerror(errno));
                exit(1);
        }
        void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        close(fd);
        return touched(p, len, what);
}

static bool handle(const char *cmd, void *data)
{
        (void)data;
        if (strcmp(cmd, "abort") == 0)
                abort();
        return false;
}

int main(int argc, char **argv)
{
        if (argc != 2) {
                fprintf(stderr, "usage: shm_maps FILE\n");
                return 2;
        }
        say("pid %d", (int)getpid());

        size_t anon_len = 3 * 256 * PAGE, posix_len = 2 * 256 * PAGE, sysv_len = 5 * 64 * PAGE;
        size_t memfd_len = 7 * 64 * PAGE, file_len = 9 * PAGE;

        void *anon = touched(mmap(NULL, anon_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0), anon_len,
                             "mmap shared anonymous");

        snprintf(posix_name, sizeof(posix_name), "/memsnap-shm-%d", (int)getpid());
        void *posix = map_fd(shm_open(posix_name, O_RDWR | O_CREAT | O_EXCL, 0600), posix_len, "shm_open");

        int id = shmget(IPC_PRIVATE, sysv_len, IPC_CREAT | 0600);
        void *sysv = touched(id < 0 ? (void *)-1 : shmat(id, NULL, 0), sysv_len, "shmget");
        shmctl(id, IPC_RMID, NULL); /* gone once detached, even if the test kills us */

        void *memfd = map_fd(memfd_create("memsnap-shm", MFD_CLOEXEC), memfd_len, "memfd_create");
        void *file = map_fd(open(argv[1], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), file_len, "open");

        say("shm anon %p %zu", anon, anon_len);
        say("shm posix %p %zu", posix, posix_len);
        say("shm sysv %p %zu", sysv, sysv_len);
        say("shm memfd %p %zu", memfd, memfd_len);
        say("file %p %zu", file, file_len);
        say("ready");
        sample_serve(handle, NULL);
        shm_unlink(posix_name);
        return 0;
}
