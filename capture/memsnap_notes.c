/* Implementation of memsnap_notes.h. */
#include "memsnap_notes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/segment_kind.h"
#include "common/text_escape.h"

void format_rfc3339_utc(const struct timespec *t, char buf[32])
{
        struct tm tm;
        time_t s = t->tv_sec;
        char secs[24];
        gmtime_r(&s, &tm);
        strftime(secs, sizeof(secs), "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf, 32, "%.20s.%03dZ", secs, (int)(t->tv_nsec / 1000000));
}

/* A value is one line: a newline in a path would start a new key. */
static void put_value(FILE *f, const char *s)
{
        if (s)
                text_escape_write(f, s, strlen(s));
}

static void put_kinds(FILE *f, const struct select_options *o)
{
        if (!o->kinds_given) {
                fputs("all", f);
                return;
        }
        bool first = true;
        for (int k = 0; k < SEG_KIND_COUNT; k++)
                if (o->kinds & (1u << k)) {
                        fprintf(f, "%s%s", first ? "" : ",", segment_kind_name((enum segment_kind)k));
                        first = false;
                }
}

int memsnap_settings_format(const struct capture_facts *c, char **text, size_t *len)
{
        char *buf = NULL;
        size_t size = 0;
        char when[32];
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;

        format_rfc3339_utc(&c->captured_at, when);
        fprintf(f, "memsnap_version=%s\n", c->version);
        fprintf(f, "captured_at=%s\n", when);
        fprintf(f, "pid=%d\n", (int)c->pid);
        fputs("exe=", f);
        put_value(f, c->exe);
        fputs("\ncomm=", f);
        put_value(f, c->comm);
        fputs("\nkernel=", f);
        put_value(f, c->kernel);
        fprintf(f, "\npage_size=%zu\n", c->page_size);
        fprintf(f, "threads=%zu\n", c->threads);
        fprintf(f, "mappings=%zu\n", c->mappings);
        fprintf(f, "pause_ms=%.0f\n", c->pause_ms);
        fputs("segments=", f);
        put_kinds(f, c->select);
        fprintf(f, "\nwith_text=%d\n", c->select->with_text);
        if (c->select->have_range)
                fprintf(f, "range=%llx-%llx\n", (unsigned long long)c->select->range_start,
                        (unsigned long long)c->select->range_end);
        if (c->select->path_glob) {
                fputs("path=", f);
                put_value(f, c->select->path_glob);
                fputc('\n', f);
        }
        if (c->select->max_size)
                fprintf(f, "max_size=%llu\n", (unsigned long long)c->select->max_size);
        fprintf(f, "read_swapped=%d\n", c->read_swapped);
        fprintf(f, "stacks=%d\n", c->stacks);
        fprintf(f, "stage_limit=%llu\n", (unsigned long long)c->stage_limit);
        fprintf(f, "memory_bytes=%llu\n", (unsigned long long)c->memory_bytes);
        fprintf(f, "file_bytes=%llu\n", (unsigned long long)c->file_bytes);
        fprintf(f, "direct_bytes=%llu\n", (unsigned long long)c->direct_bytes);
        if (c->method) {
                fprintf(f, "method=%s\n", c->method);
                if (strcmp(c->method, "fork") == 0 && c->fork_copied_bytes >= 0)
                        fprintf(f, "fork_copied_bytes=%lld\n", (long long)c->fork_copied_bytes);
        }
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *text = buf;
        *len = size;
        return 0;
}

int memsnap_threads_format(const pid_t *tids, char *const *names, size_t n, char **text, size_t *len)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                fprintf(f, "%d\t", (int)tids[i]);
                put_value(f, names[i]);
                fputc('\n', f);
        }
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *text = buf;
        *len = size;
        return 0;
}
