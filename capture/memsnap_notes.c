/* Implementation of memsnap_notes.h. */
#include "memsnap_notes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/segment_kind.h"
#include "common/strbuf.h"
#include "common/text_escape.h"

void memsnap_notes_rfc3339_utc(const struct timespec *t, char buf[32])
{
        struct tm tm;
        time_t s = t->tv_sec;
        char secs[24];
        gmtime_r(&s, &tm);
        strftime(secs, sizeof(secs), "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf, 32, "%.20s.%03dZ", secs, (int)(t->tv_nsec / 1000000));
}

/* A value is one line: a newline in a path would start a new key. */
static void add_value(struct strbuf *sb, const char *s)
{
        if (s)
                text_escape_add(sb, s, strlen(s));
}

static void add_kinds(struct strbuf *sb, const struct select_options *o)
{
        if (!o->kinds_given) {
                strbuf_addstr(sb, "all");
                return;
        }
        bool first = true;
        for (int k = 0; k < SEG_KIND_COUNT; k++)
                if (o->kinds & (1u << k)) {
                        strbuf_addf(sb, "%s%s", first ? "" : ",", segment_kind_name((enum segment_kind)k));
                        first = false;
                }
}

int memsnap_notes_settings_format(const struct capture_facts *c, char **text, size_t *len)
{
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        char when[32];

        memsnap_notes_rfc3339_utc(&c->captured_at, when);
        strbuf_addf(&sb, "memsnap_version=%s\n", c->version);
        strbuf_addf(&sb, "captured_at=%s\n", when);
        strbuf_addf(&sb, "pid=%d\n", (int)c->pid);
        strbuf_addstr(&sb, "exe=");
        add_value(&sb, c->exe);
        strbuf_addstr(&sb, "\ncomm=");
        add_value(&sb, c->comm);
        strbuf_addstr(&sb, "\nkernel=");
        add_value(&sb, c->kernel);
        strbuf_addf(&sb, "\npage_size=%zu\n", c->page_size);
        strbuf_addf(&sb, "threads=%zu\n", c->threads);
        strbuf_addf(&sb, "mappings=%zu\n", c->mappings);
        strbuf_addf(&sb, "pause_ms=%.0f\n", c->pause_ms);
        strbuf_addstr(&sb, "segments=");
        add_kinds(&sb, c->select);
        strbuf_addf(&sb, "\nwith_text=%d\n", c->select->with_text);
        if (c->select->have_range)
                strbuf_addf(&sb, "range=%llx-%llx\n", (unsigned long long)c->select->range_start,
                            (unsigned long long)c->select->range_end);
        if (c->select->path_glob) {
                strbuf_addstr(&sb, "path=");
                add_value(&sb, c->select->path_glob);
                strbuf_addch(&sb, '\n');
        }
        if (c->select->max_size)
                strbuf_addf(&sb, "max_size=%llu\n", (unsigned long long)c->select->max_size);
        strbuf_addf(&sb, "read_swapped=%d\n", c->read_swapped);
        strbuf_addf(&sb, "stacks=%d\n", c->stacks);
        strbuf_addf(&sb, "stage_limit=%llu\n", (unsigned long long)c->stage_limit);
        strbuf_addf(&sb, "memory_bytes=%llu\n", (unsigned long long)c->memory_bytes);
        strbuf_addf(&sb, "file_bytes=%llu\n", (unsigned long long)c->file_bytes);
        strbuf_addf(&sb, "direct_bytes=%llu\n", (unsigned long long)c->direct_bytes);
        *text = strbuf_take(&sb, len);
        return *text ? 0 : -ENOMEM;
}

int memsnap_notes_threads_format(const pid_t *tids, char *const *names, size_t n, char **text, size_t *len)
{
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;

        for (size_t i = 0; i < n; i++) {
                strbuf_addf(&sb, "%d\t", (int)tids[i]);
                add_value(&sb, names[i]);
                strbuf_addch(&sb, '\n');
        }
        *text = strbuf_take(&sb, len);
        return *text ? 0 : -ENOMEM;
}
