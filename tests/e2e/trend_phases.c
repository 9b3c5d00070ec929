/*
 * trend_phases: a program whose heap changes in known batches, for the
 * trend test.  Each "phase" command runs the next phase P (from 1):
 *   - it allocates TEMP_COUNT blocks of TEMP_SIZE bytes and keeps them
 *     (until the next phase), printing "held P ADDR SIZE";
 *   - it frees the blocks the phase before kept, printing "freed P ADDR SIZE";
 *   - it allocates LEAK_COUNT blocks of LEAK_SIZE bytes and drops every
 *     pointer to them, printing "leaked P ADDR SIZE";
 * then "done P".  Every block's bytes name its phase and number, so a block
 * at an address an earlier one had differs in content too.  At start it
 * prints "pid P" and "ready", and serves commands on stdin (sample_io.h).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "samples/sample_io.h"

#define TEMP_COUNT 25
#define TEMP_SIZE 1500
#define LEAK_COUNT 40
#define LEAK_SIZE 600

static char *kept[TEMP_COUNT];
static unsigned phase;

/*
 * Fills a block with bytes naming it (what, phase, number), so no two
 * blocks hash alike; binary, not text, so analyze gives it no type hint
 * and growth is counted by size class.
 */
static void fill(unsigned char *p, size_t size, unsigned what, unsigned i)
{
        for (size_t k = 0; k < size; k++)
                p[k] = (unsigned char)(k % 4 == 0 ? 0xff : k % 4 == 1 ? what : k % 4 == 2 ? phase : i);
}

static __attribute__((noinline)) void run_phase(void)
{
        char *fresh[TEMP_COUNT];

        phase++;
        say("phase %u", phase);
        for (unsigned i = 0; i < TEMP_COUNT; i++) {
                fresh[i] = malloc(TEMP_SIZE);
                fill((unsigned char *)fresh[i], TEMP_SIZE, 1, i);
                say("held %u %p %d", phase, (void *)fresh[i], TEMP_SIZE);
        }
        for (unsigned i = 0; i < TEMP_COUNT; i++) {
                if (kept[i]) {
                        say("freed %u %p %d", phase, (void *)kept[i], TEMP_SIZE);
                        free(kept[i]);
                }
                kept[i] = fresh[i];
        }
        for (unsigned i = 0; i < LEAK_COUNT; i++) {
                char *p = malloc(LEAK_SIZE);
                fill((unsigned char *)p, LEAK_SIZE, 2, i);
                say("leaked %u %p %d", phase, (void *)p, LEAK_SIZE);
        }
        say("done %u", phase);
}

static bool handle(const char *cmd, void *data)
{
        (void)data;
        if (strcmp(cmd, "phase") != 0)
                return false;
        run_phase();
        return true;
}

int main(void)
{
        /*
         * glibc makes its tcache at the first malloc: before the first
         * snapshot, not in phase 1 (volatile: the compiler would drop a
         * malloc freed at once)
         */
        void *volatile first = malloc(1);
        free(first);
        say("pid %d", (int)getpid());
        say("ready");
        sample_serve(handle, NULL);
        return 0;
}
