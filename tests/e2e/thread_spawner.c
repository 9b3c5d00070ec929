/*
 * thread_spawner: threads that are born and die all the time, to capture a
 * process whose thread list changes while it is being stopped.
 *
 * N spawner threads each create a short-lived thread, join it, and repeat;
 * the short-lived thread spins a little and exits.  "count" prints how many
 * threads have lived so far, so a test can see the process still works.
 *
 * Prints "pid P", "ready", then serves sample_io commands and "count".
 * usage: thread_spawner [-t SPAWNERS]
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "samples/sample_io.h"

static atomic_ulong lived;

static void *short_lived(void *arg)
{
        (void)arg;
        volatile unsigned long x = 0;
        for (int i = 0; i < 20000; i++)
                x += (unsigned long)i;
        atomic_fetch_add(&lived, 1);
        return NULL;
}

static __attribute__((noinline)) void *spawner(void *arg)
{
        (void)arg;
        for (;;) {
                pthread_t t;
                if (pthread_create(&t, NULL, short_lived, NULL) == 0)
                        pthread_join(t, NULL);
                else
                        usleep(1000);
        }
        return NULL;
}

static bool handle(const char *cmd, void *data)
{
        (void)data;
        if (strcmp(cmd, "count") != 0)
                return false;
        say("count %lu", atomic_load(&lived));
        return true;
}

int main(int argc, char **argv)
{
        int spawners = 3, opt;

        while ((opt = getopt(argc, argv, "t:")) != -1) {
                if (opt != 't') {
                        fprintf(stderr, "usage: thread_spawner [-t SPAWNERS]\n");
                        return 2;
                }
                spawners = atoi(optarg);
        }
        for (int i = 0; i < spawners; i++) {
                pthread_t t;
                if (pthread_create(&t, NULL, spawner, NULL) != 0) {
                        fprintf(stderr, "thread_spawner: cannot create a thread\n");
                        return 1;
                }
        }
        while (atomic_load(&lived) < 100)
                usleep(1000);
        say("pid %d", (int)getpid());
        say("ready");
        sample_serve(handle, NULL);
        return 0;
}
