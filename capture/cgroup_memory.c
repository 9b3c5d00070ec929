/* Implementation of cgroup_memory.h: every level of the process's memory cgroups, and MemAvailable. */
#include "cgroup_memory.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"

static bool read_u64(const char *path, uint64_t *v)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        unsigned long long x;
        if (!f || fscanf(f, "%llu", &x) != 1)
                return false; /* v2's "max" does not parse: no limit */
        *v = x;
        return true;
}

static uint64_t mem_available(void)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/meminfo", "re");
        char line[256];
        unsigned long long kb;
        while (f && fgets(line, sizeof(line), f))
                if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
                        return (uint64_t)kb * 1024;
        return UINT64_MAX;
}

int cgroup_memory_line_split(char *line, const char **controllers, size_t *controllers_len, const char **path)
{
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2 || c2[1] != '/')
                return -EINVAL;
        line[strcspn(line, "\n")] = '\0';
        *controllers = c1 + 1;
        *controllers_len = (size_t)(c2 - c1 - 1);
        *path = c2 + 1;
        return 0;
}

/* Each level from path up to the root of a hierarchy mounted at root. */
static void walk_levels(const char *root, const char *path, const char *limit_file, const char *usage_file,
                        uint64_t *best, char *where, size_t where_len)
{
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s%s", root, strcmp(path, "/") == 0 ? "" : path);
        for (;;) {
                char lp[4200], up[4200];
                uint64_t limit, usage;
                snprintf(lp, sizeof(lp), "%s/%s", dir, limit_file);
                snprintf(up, sizeof(up), "%s/%s", dir, usage_file);
                if (read_u64(lp, &limit) && read_u64(up, &usage)) {
                        uint64_t room = limit > usage ? limit - usage : 0;
                        if (room < *best) {
                                *best = room;
                                snprintf(where, where_len, "%s", dir);
                        }
                }
                if (strlen(dir) <= strlen(root))
                        break;
                char *slash = strrchr(dir, '/');
                if (!slash)
                        break;
                *slash = '\0';
        }
}

uint64_t cgroup_memory_room(pid_t pid, char *where, size_t where_len)
{
        uint64_t best = mem_available();
        snprintf(where, where_len, "MemAvailable");

        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char line[4096];
        while (f && fgets(line, sizeof(line), f)) {
                const char *ctl, *p;
                size_t clen;
                if (cgroup_memory_line_split(line, &ctl, &clen, &p) < 0)
                        continue;
                if (clen == 0) {
                        /* v2: mounted at /sys/fs/cgroup, or beside v1 at .../unified (hybrid) */
                        walk_levels("/sys/fs/cgroup", p, "memory.max", "memory.current", &best, where, where_len);
                        walk_levels("/sys/fs/cgroup/unified", p, "memory.max", "memory.current", &best, where,
                                    where_len);
                } else if (clen == 6 && strncmp(ctl, "memory", 6) == 0) {
                        walk_levels("/sys/fs/cgroup/memory", p, "memory.limit_in_bytes", "memory.usage_in_bytes",
                                    &best, where, where_len);
                }
        }
        return best;
}
