/* Implementation of test_hold.h: two FIFOs, one line each way per phase. */
#include "test_hold.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"

static const char *const phase_names[] = { "starting", "reserving", "stopping", "copying", "forked", "writing", "renaming", "exiting", "snapshot" };

static bool phase_known(const char *name, size_t len)
{
        for (size_t i = 0; i < sizeof(phase_names) / sizeof(phase_names[0]); i++)
                if (strlen(phase_names[i]) == len && memcmp(phase_names[i], name, len) == 0)
                        return true;
        return false;
}

/* Whether the comma-separated list names phase. */
static bool phase_listed(const char *list, const char *phase)
{
        size_t n = strlen(phase);
        for (const char *p = list; *p;) {
                size_t len = strcspn(p, ",");
                if (len == n && memcmp(p, phase, n) == 0)
                        return true;
                p += len + (p[len] == ',');
        }
        return false;
}

int test_hold_init(struct test_hold *h)
{
        *h = (struct test_hold)TEST_HOLD_INIT;
        const char *phases = getenv("MEMSNAP_TEST_HOLD");
        if (!phases || !*phases)
                return 0;
        for (const char *p = phases; *p;) {
                size_t len = strcspn(p, ",");
                if (!phase_known(p, len))
                        return log_error_errno(EINVAL,
                                               "bad MEMSNAP_TEST_HOLD '%s': '%.*s' is no phase (stopping, copying, writing, renaming, exiting, snapshot)",
                                               phases, (int)len, p);
                p += len + (p[len] == ',');
        }
        const char *fifo = getenv("MEMSNAP_TEST_HOLD_FIFO");
        if (!fifo || !*fifo)
                return log_error_errno(EINVAL, "MEMSNAP_TEST_HOLD is set but MEMSNAP_TEST_HOLD_FIFO is not");
        h->phases = strdup(phases);
        h->fifo = strdup(fifo);
        if (!h->phases || !h->fifo) {
                test_hold_free(h);
                return log_error_errno(ENOMEM, "cannot read MEMSNAP_TEST_HOLD: %m");
        }
        return 0;
}

void test_hold_at(const struct test_hold *h, const char *phase)
{
        if (!h || !h->phases || !phase_listed(h->phases, phase))
                return;

        _cleanup_free_ char *held = NULL, *go = NULL;
        if (asprintf(&held, "%s.held", h->fifo) < 0 || asprintf(&go, "%s.go", h->fifo) < 0) {
                log_error("test hold at %s: out of memory; going on", phase);
                return;
        }
        int fd = open(held, O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
                log_error("test hold at %s: cannot open '%s': %s; going on", phase, held, strerror(errno));
                return;
        }
        char line[32];
        int len = snprintf(line, sizeof(line), "%s\n", phase);
        /* One write of fewer than PIPE_BUF bytes: whole, or not at all. */
        ssize_t w = write(fd, line, (size_t)len);
        int err = errno;
        close(fd);
        if (w != len) {
                log_error("test hold at %s: cannot write '%s': %s; going on", phase, held, strerror(w < 0 ? err : EIO));
                return;
        }
        fd = open(go, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                log_error("test hold at %s: cannot open '%s': %s; going on", phase, go, strerror(errno));
                return;
        }
        for (char c = 0; c != '\n';) {
                ssize_t n = read(fd, &c, 1);
                if (n == 0 || (n < 0 && errno != EINTR))
                        break;
        }
        close(fd);
}

void test_hold_free(struct test_hold *h)
{
        free(h->phases);
        free(h->fifo);
        *h = (struct test_hold)TEST_HOLD_INIT;
}
