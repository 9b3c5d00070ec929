/*
 * A hook for tests only: it holds a capture at a named phase, so that a
 * test can send a signal, or kill memsnap or its target, exactly there and
 * not at a moment guessed with sleep.  Inert unless MEMSNAP_TEST_HOLD is
 * set: a normal run reads the environment once and pays a NULL test per
 * phase.
 *
 *   MEMSNAP_TEST_HOLD=PHASE[,PHASE...]   where to hold:
 *     starting   the options read, signals blocked, before the target is checked
 *     reserving  the target checked and the guard begun, before the stage is reserved
 *     stopping   the threads seized and interrupted, their stops not yet waited for
 *     copying    every thread stopped and the dump planned, before the first byte is copied
 *     forked     by fork: the copy-on-write child made and the target let go, before
 *                the child's memory is copied
 *     writing    the target released, before the core is written
 *     renaming   the core written and synced, before the last look for a signal and the rename
 *     exiting    the capture over and cleaned up (signals restored), before memsnap returns
 *     snapshot   memsnap watch (snap/watch.c): a snapshot due, before its capture
 *                begins; after it, watch looks whether the target exited or a signal came
 *   MEMSNAP_TEST_HOLD_FIFO=PATH          two FIFOs the test made: at each
 *     phase memsnap writes the phase's name and a newline to PATH.held, then
 *     reads PATH.go up to a newline before it goes on.
 *
 * Holding by a read, not by SIGSTOP on itself: memsnap stays the running
 * tracer it is at that phase (a stopped memsnap would hold its target in a
 * stop it never chose, and its parent would see a stop), the signals a test
 * sends meet the same blocked mask as in a real run, and the test knows the
 * phase is reached by reading a line, without polling /proc.
 */
#ifndef MEMSNAP_TEST_HOLD_H
#define MEMSNAP_TEST_HOLD_H

#include <stdbool.h>

struct test_hold {
        char *phases;   /* MEMSNAP_TEST_HOLD, copied; NULL: the hook is off */
        char *fifo;     /* MEMSNAP_TEST_HOLD_FIFO, copied */
};

#define TEST_HOLD_INIT { NULL, NULL }

/*
 * Reads the environment.  Returns 0 (the hook off, or on with known phases
 * and a FIFO), or -EINVAL with a message naming the bad setting.
 */
int test_hold_init(struct test_hold *h);

/* Holds at phase when it is named; h may be NULL. */
void test_hold_at(const struct test_hold *h, const char *phase);

void test_hold_free(struct test_hold *h);

#endif
