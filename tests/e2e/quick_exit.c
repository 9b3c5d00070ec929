/*
 * quick_exit: starts a few threads and exits after a delay given in
 * microseconds (default 0), for capturing a process that is on its way
 * out.   usage: quick_exit [DELAY_US]
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static void *idle(void *arg)
{
        (void)arg;
        for (;;)
                pause();
        return NULL;
}

int main(int argc, char **argv)
{
        long delay = argc > 1 ? atol(argv[1]) : 0;
        for (int i = 0; i < 3; i++) {
                pthread_t t;
                pthread_create(&t, NULL, idle, NULL);
        }
        /* Some memory, so a capture that gets in has work to do. */
        char *p = malloc(8 << 20);
        for (size_t i = 0; i < (8u << 20); i += 4096)
                p[i] = 1;
        usleep((useconds_t)delay);
        exit(0);
}
