/*
 * tiny_threads: a two-thread process whose core is small (a few MiB), the
 * base tests/malformed/gen.py breaks in every way a core can be broken.
 * The second thread has a small stack and blocks in a read nobody answers;
 * the main thread prints "pid P" and "ready", then reads stdin until EOF.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int pipefd[2];

static void *blocked(void *arg)
{
        char c;
        (void)arg;
        while (read(pipefd[0], &c, 1) > 0)
                ;
        return NULL;
}

int main(void)
{
        pthread_attr_t attr;
        pthread_t t;
        char buf[64];

        if (pipe(pipefd) < 0)
                return 1;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 64 * 1024);
        if (pthread_create(&t, &attr, blocked, NULL) != 0)
                return 1;
        printf("pid %d\nready\n", (int)getpid());
        fflush(stdout);
        while (read(0, buf, sizeof(buf)) > 0)
                ;
        return 0;
}
