/* Implementation of stage.h. */
#include "stage.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/cleanup.h"

#define HUGE_PAGE (2u << 20)

static uint64_t meminfo_available(void)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/meminfo", "re");
        char line[256];
        unsigned long long kb;

        if (!f)
                return 0;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
                        return (uint64_t)kb * 1024;
        return 0;
}

static bool read_u64_file(const char *path, uint64_t *v)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        unsigned long long x;
        if (!f || fscanf(f, "%llu", &x) != 1)
                return false;
        *v = x;
        return true;
}

/* What our memory cgroup still allows, or UINT64_MAX when it sets no limit. */
static uint64_t cgroup_headroom(void)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
        char line[4096];
        uint64_t best = UINT64_MAX;

        if (!f)
                return best;
        while (fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\n")] = '\0';
                char *c1 = strchr(line, ':');
                char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                const char *controllers = c1 + 1, *path = c2 + 1;
                char limit_path[4200], usage_path[4200];
                size_t clen = (size_t)(c2 - controllers);
                if (clen == 0 && strncmp(line, "0:", 2) == 0) {
                        snprintf(limit_path, sizeof(limit_path), "/sys/fs/cgroup%s/memory.max", path);
                        snprintf(usage_path, sizeof(usage_path), "/sys/fs/cgroup%s/memory.current", path);
                } else if (clen == 6 && strncmp(controllers, "memory", 6) == 0) {
                        snprintf(limit_path, sizeof(limit_path), "/sys/fs/cgroup/memory%s/memory.limit_in_bytes", path);
                        snprintf(usage_path, sizeof(usage_path), "/sys/fs/cgroup/memory%s/memory.usage_in_bytes", path);
                } else {
                        continue;
                }
                uint64_t limit, usage;
                /* "max" (v2) fails to parse: no limit. */
                if (!read_u64_file(limit_path, &limit) || !read_u64_file(usage_path, &usage))
                        continue;
                uint64_t room = limit > usage ? limit - usage : 0;
                if (room < best)
                        best = room;
        }
        return best;
}

uint64_t stage_default_limit(void)
{
        uint64_t avail = meminfo_available() / 2;
        uint64_t cg = cgroup_headroom();
        if (cg != UINT64_MAX && cg / 2 < avail)
                avail = cg / 2;
        return avail;
}

int stage_reserve(struct stage *s, uint64_t bytes, bool populate)
{
        long ps = sysconf(_SC_PAGESIZE);
        if (bytes > s->limit)
                bytes = s->limit;
        bytes = ALIGN_UP(bytes, (uint64_t)ps);
        if (bytes <= s->size)
                return 0;
        if (s->used)
                return -EBUSY;
        if (bytes > SIZE_MAX)
                return -ENOMEM;

        uint8_t *p;
        if (s->base)
                p = mremap(s->base, s->size, (size_t)bytes, MREMAP_MAYMOVE);
        else
                p = mmap(NULL, (size_t)bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
                return -errno;
        /* Huge pages: 512 times fewer faults when the copy touches it. */
        if (bytes >= HUGE_PAGE)
                (void)madvise(p, (size_t)bytes, MADV_HUGEPAGE);
        size_t old = s->base ? s->size : 0;
        s->base = p;
        s->size = (size_t)bytes;
        if (populate) {
#ifdef MADV_POPULATE_WRITE
                if (madvise(p + old, s->size - old, MADV_POPULATE_WRITE) == 0)
                        return 0;
#endif
                for (size_t off = old; off < s->size; off += (size_t)ps)
                        ((volatile uint8_t *)p)[off] = 0;
        }
        return 0;
}

uint8_t *stage_take(struct stage *s, size_t len)
{
        if (!s->base || s->size - s->used < len)
                return NULL;
        uint8_t *p = s->base + s->used;
        s->used += len;
        return p;
}

void stage_release(struct stage *s)
{
        if (s->base)
                munmap(s->base, s->size);
        s->base = NULL;
        s->size = s->used = 0;
}
