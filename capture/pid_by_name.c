/* Implementation of pid_by_name.h. */
#include "pid_by_name.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "proc_read.h"

bool pid_by_name_matches(const char *comm, const char *name)
{
        const char *slash = strrchr(name, '/');
        if (slash)
                name = slash + 1;
        if (!*name)
                return false;
        if (strlen(name) > PID_COMM_MAX)
                return strlen(comm) == PID_COMM_MAX && strncmp(comm, name, PID_COMM_MAX) == 0;
        return strcmp(comm, name) == 0;
}

/* A process that has exited and waits for its parent: no memory left to capture (proc(5): state Z). */
static bool is_zombie(pid_t pid)
{
        char path[64];
        struct proc_stat st;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        return proc_stat_read(AT_FDCWD, path, &st) == 0 && st.state == 'Z';
}

size_t pid_by_name_find(const char *name, pid_t *pids, size_t max)
{
        _cleanup_closedir_ DIR *d = opendir("/proc");
        struct dirent *de;
        size_t n = 0;

        if (!d)
                return 0;
        while ((de = readdir(d))) {
                pid_t pid;
                char comm[64];

                if (proc_read_parse_pid(de->d_name, &pid) < 0 || pid == getpid())
                        continue;
                proc_read_comm(pid, comm, sizeof(comm));
                if (!pid_by_name_matches(comm, name) || is_zombie(pid))
                        continue;
                if (n < max)
                        pids[n] = pid;
                n++;
        }
        return n;
}
