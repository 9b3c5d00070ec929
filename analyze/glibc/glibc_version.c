/*
 * Which glibc release the process ran, which decides the layout of every
 * malloc structure.  Every glibc carries its banner in .rodata (csu/version.c):
 *   "GNU C Library (Debian GLIBC 2.36-9+deb12u14) stable release version 2.36."
 * It is read from the library file when that file is the one the process
 * ran (same build-id), else from the core when the core holds the library's
 * read-only pages, else from a versioned file name (libc-2.28.so).  When
 * all fail the version is unknown and glibc_find.c tries every layout.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "analyze/core/elf_util.h"
#include "glibc_version.h"

static const char banner[] = "GNU C Library";
static const char marker[] = "release version ";
#define BANNER_SPAN 200 /* from "GNU C Library" to the number: the distribution's tag sits between */

/* Parses "2.36" or "2.42.9000" at p (at most n bytes); false when it is not a version. */
static bool parse_number(const char *p, size_t n, struct glibc_version *v)
{
        unsigned part[3] = { 0 };
        int parts = 0;
        size_t i = 0, len = 0;

        while (parts < 3 && i < n) {
                size_t digits = 0;
                unsigned x = 0;
                while (i < n && p[i] >= '0' && p[i] <= '9' && digits < 6) {
                        x = x * 10 + (unsigned)(p[i] - '0');
                        i++;
                        digits++;
                }
                if (digits == 0)
                        break;
                part[parts++] = x;
                len = i;
                if (i < n && p[i] == '.' && i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '9')
                        i++;
                else
                        break;
        }
        if (parts < 2 || len >= sizeof(v->text))
                return false;
        v->known = true;
        v->major = part[0];
        v->minor = part[1];
        v->patch = part[2];
        memcpy(v->text, p, len);
        v->text[len] = '\0';
        return true;
}

bool glibc_version_parse(const void *buf, size_t len, struct glibc_version *v)
{
        const char *p = buf, *end = p + len;

        while (p < end) {
                const char *b = memmem(p, (size_t)(end - p), banner, sizeof(banner) - 1);
                if (!b)
                        return false;
                size_t span = MIN((size_t)(end - b), (size_t)BANNER_SPAN);
                const char *m = memmem(b, span, marker, sizeof(marker) - 1);
                /* The banner is one line: a newline or NUL before the marker means another string. */
                if (m && !memchr(b, '\n', (size_t)(m - b)) && !memchr(b, '\0', (size_t)(m - b))) {
                        const char *num = m + sizeof(marker) - 1;
                        if (parse_number(num, (size_t)(end - num), v))
                                return true;
                }
                p = b + 1;
        }
        return false;
}

bool glibc_version_from_filename(const char *path, struct glibc_version *v)
{
        const char *base = path ? strrchr(path, '/') : NULL;
        base = base ? base + 1 : path;
        if (!base || strncmp(base, "libc-", 5) != 0)
                return false;
        const char *dot_so = strstr(base, ".so");
        if (!dot_so)
                return false;
        return parse_number(base + 5, (size_t)(dot_so - base - 5), v);
}

static bool from_file(const char *path, struct glibc_version *v)
{
        const char *why;
        _cleanup_close_ int fd = elf_util_open(path, &why);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0)
                return false;
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED)
                return false;
        bool ok = glibc_version_parse(p, (size_t)st.st_size, v);
        munmap(p, (size_t)st.st_size);
        return ok;
}

static bool from_core(struct heap_ctx *h, struct glibc_version *v)
{
        const struct analysis *a = h->a;
        for (size_t i = 0; i < a->segments.n; i++) {
                const struct segment *s = &a->segments.v[i];
                if (!s->path || strcmp(s->path, h->libc.path) != 0 || s->in_core == 0)
                        continue;
                const struct core_segment *cs = core_segment_at(&a->core, s->start);
                if (!cs || cs->filesz == 0)
                        continue;
                if (glibc_version_parse(a->core.data + cs->offset, cs->filesz, v))
                        return true;
        }
        return false;
}

int glibc_version_detect(struct heap_ctx *h)
{
        struct glibc_version *v = &h->version;

        *v = (struct glibc_version){ 0 };
        if (!h->libc.found)
                return 0;
        if (h->libc.file_matches && from_file(h->libc.path, v))
                v->source = "file";
        else if (from_core(h, v))
                v->source = "core";
        else if (glibc_version_from_filename(h->libc.path, v))
                v->source = "file name";

        if (v->known && !h->out->glibc_version && !(h->out->glibc_version = strdup(v->text)))
                return -ENOMEM;
        if (h->libc.build_id && !h->out->glibc_build_id && !(h->out->glibc_build_id = strdup(h->libc.build_id)))
                return -ENOMEM;
        if (!v->known)
                warnings_add(h->w, "heap", h->libc.base,
                             "the glibc version of '%s' is unknown: the file on this machine is missing or differs (build-id %s) and the core holds no banner; every known malloc layout is tried",
                             h->libc.path, h->libc.build_id ? h->libc.build_id : "unknown");
        return 0;
}
