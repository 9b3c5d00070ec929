/* Implementation of proc_maps.h: /proc/PID/{maps,smaps} text to structs. */
#include "proc_maps.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "cleanup.h"
#include "parse_number.h"
#include "path_deleted.h"

static bool expect(const char **p, const char *end, char c)
{
        if (*p >= end || **p != c)
                return false;
        (*p)++;
        return true;
}

static void skip_spaces(const char **p, const char *end)
{
        while (*p < end && (**p == ' ' || **p == '\t'))
                (*p)++;
}

/* Whether c is one of the characters of set; never the NUL, which strchr finds in every set. */
static bool one_of(char c, const char *set)
{
        return c != '\0' && strchr(set, c) != NULL;
}

/*
 * The kernel writes a newline in a mapped path as "\012" (fs/proc/task_mmu.c
 * show_map_vma: seq_file_path(m, file, "\n")) and no other byte escaped, not
 * even the backslash: a file whose name holds the four characters "\012"
 * reads the same and gets a newline here, the rarer of the two.
 */
static char *maps_path_unescape(const char *p, size_t len)
{
        char *out = malloc(len + 1), *o = out;
        if (!out)
                return NULL;
        for (size_t i = 0; i < len; i++) {
                if (len - i >= 4 && memcmp(p + i, "\\012", 4) == 0) {
                        *o++ = '\n';
                        i += 3;
                } else {
                        *o++ = p[i];
                }
        }
        *o = '\0';
        return out;
}

/* Parses one maps header line ("start-end perms offset dev inode [path]"). */
static int proc_maps_parse_line(const char *line, size_t len, struct map_entry *e)
{
        const char *p = line, *end = line + len;
        uint64_t major, minor;

        memset(e, 0, sizeof(*e));
        e->size_kb = e->rss_kb = e->pss_kb = e->shared_clean_kb = e->shared_dirty_kb = -1;
        e->private_clean_kb = e->private_dirty_kb = e->anonymous_kb = e->swap_kb = e->locked_kb = -1;

        if (!parse_number_hex_u64(&p, end, &e->start) || !expect(&p, end, '-') || !parse_number_hex_u64(&p, end, &e->end) ||
            !expect(&p, end, ' '))
                return -EINVAL;
        if (e->end < e->start || end - p < 4)
                return -EINVAL;
        memcpy(e->perms, p, 4);
        e->perms[4] = '\0';
        if (!one_of(e->perms[0], "r-") || !one_of(e->perms[1], "w-") || !one_of(e->perms[2], "x-") ||
            !one_of(e->perms[3], "ps"))
                return -EINVAL;
        p += 4;
        if (!expect(&p, end, ' ') || !parse_number_hex_u64(&p, end, &e->offset) || !expect(&p, end, ' ') ||
            !parse_number_hex_u64(&p, end, &major) || !expect(&p, end, ':') || !parse_number_hex_u64(&p, end, &minor) ||
            !expect(&p, end, ' ') || !parse_number_dec_u64(&p, end, &e->inode))
                return -EINVAL;
        e->dev_major = (unsigned)major;
        e->dev_minor = (unsigned)minor;

        skip_spaces(&p, end);
        size_t plen = (size_t)(end - p);
        if (plen == 0)
                return 0;

        plen = path_deleted_strip(p, plen, &e->deleted);
        e->path = maps_path_unescape(p, plen);
        return e->path ? 0 : -ENOMEM;
}

static bool is_mapping_line(const char *line, size_t len)
{
        /* "hex-hex " — smaps field lines start with a capitalised key. */
        size_t i = 0;
        while (i < len && ((line[i] >= '0' && line[i] <= '9') || (line[i] >= 'a' && line[i] <= 'f')))
                i++;
        return i > 0 && i < len && line[i] == '-';
}

static int64_t *smaps_field(struct map_entry *e, const char *key, size_t klen)
{
        static const struct {
                const char *name;
                size_t offset;
        } fields[] = {
                { "Size", offsetof(struct map_entry, size_kb) },
                { "Rss", offsetof(struct map_entry, rss_kb) },
                { "Pss", offsetof(struct map_entry, pss_kb) },
                { "Shared_Clean", offsetof(struct map_entry, shared_clean_kb) },
                { "Shared_Dirty", offsetof(struct map_entry, shared_dirty_kb) },
                { "Private_Clean", offsetof(struct map_entry, private_clean_kb) },
                { "Private_Dirty", offsetof(struct map_entry, private_dirty_kb) },
                { "Anonymous", offsetof(struct map_entry, anonymous_kb) },
                { "Swap", offsetof(struct map_entry, swap_kb) },
                { "Locked", offsetof(struct map_entry, locked_kb) },
        };
        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                if (strlen(fields[i].name) == klen && memcmp(fields[i].name, key, klen) == 0)
                        return (int64_t *)((char *)e + fields[i].offset);
        return NULL;
}

static void parse_field_line(struct map_entry *e, const char *line, size_t len)
{
        const char *colon = memchr(line, ':', len);
        if (!colon)
                return;
        size_t klen = (size_t)(colon - line);
        const char *p = colon + 1, *end = line + len;

        if (klen == 7 && memcmp(line, "VmFlags", 7) == 0) {
                skip_spaces(&p, end);
                free(e->vm_flags);
                e->vm_flags = strndup(p, (size_t)(end - p));
                return;
        }
        int64_t *f = smaps_field(e, line, klen);
        uint64_t v;
        if (!f)
                return;
        skip_spaces(&p, end);
        if (parse_number_dec_u64(&p, end, &v) && v <= INT64_MAX)
                *f = (int64_t)v;
}

int proc_maps_parse(const char *text, size_t len, struct map_list *out, size_t *bad_line)
{
        const char *p = text, *end = text + len;
        size_t lineno = 0;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *eol = nl ? nl : end;
                size_t llen = (size_t)(eol - p);
                lineno++;

                if (llen && is_mapping_line(p, llen)) {
                        if (out->n >= MAPS_MAX) {
                                if (bad_line)
                                        *bad_line = lineno;
                                return -E2BIG;
                        }
                        if (ARRAY_RESERVE(out->v, out->cap, out->n + 1) < 0)
                                return -ENOMEM;
                        int r = proc_maps_parse_line(p, llen, &out->v[out->n]);
                        if (r < 0) {
                                free(out->v[out->n].path);
                                if (bad_line)
                                        *bad_line = lineno;
                                return r;
                        }
                        out->n++;
                } else if (llen && out->n) {
                        parse_field_line(&out->v[out->n - 1], p, llen);
                }
                p = nl ? nl + 1 : end;
        }
        return 0;
}

void map_list_free(struct map_list *l)
{
        for (size_t i = 0; i < l->n; i++) {
                free(l->v[i].path);
                free(l->v[i].vm_flags);
        }
        free(l->v);
        memset(l, 0, sizeof(*l));
}

const struct map_entry *map_list_find(const struct map_list *l, uint64_t addr)
{
        size_t lo = 0, hi = l->n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (addr < l->v[mid].start)
                        hi = mid;
                else if (addr >= l->v[mid].end)
                        lo = mid + 1;
                else
                        return &l->v[mid];
        }
        return NULL;
}

bool map_entry_has_vm_flag(const struct map_entry *e, const char *flag)
{
        if (!e->vm_flags)
                return false;
        for (const char *p = e->vm_flags; *p;) {
                while (*p == ' ')
                        p++;
                size_t n = strcspn(p, " ");
                if (n == strlen(flag) && memcmp(p, flag, n) == 0)
                        return true;
                p += n;
        }
        return false;
}
