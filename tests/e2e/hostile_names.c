/*
 * hostile_names: a process whose names are an attack on whoever reads them.
 * argv[1] becomes the main thread's name, argv[2] and argv[3] the names of
 * two more threads (prctl PR_SET_NAME / pthread_setname_np, up to 15 bytes
 * each, any bytes but NUL).  Each thread blocks in hostile_wait, so its
 * stack has a named frame of this program.  Prints "ready", then reads
 * stdin until EOF.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static int pipefd[2];

__attribute__((noinline)) static void hostile_wait(int fd)
{
        char c;
        while (read(fd, &c, 1) > 0)
                ;
        __asm__ volatile("" ::: "memory");  /* no tail call: the frame stays */
}

static void *worker(void *arg)
{
        (void)arg;
        hostile_wait(pipefd[0]);
        return NULL;
}

int main(int argc, char **argv)
{
        pthread_t t[2];

        if (argc != 4 || pipe(pipefd) < 0)
                return 2;
        for (int i = 0; i < 2; i++) {
                if (pthread_create(&t[i], NULL, worker, NULL) != 0 || pthread_setname_np(t[i], argv[2 + i]) != 0)
                        return 1;
        }
        if (prctl(PR_SET_NAME, argv[1], 0, 0, 0) < 0)
                return 1;
        printf("ready\n");
        fflush(stdout);
        hostile_wait(STDIN_FILENO);
        return 0;
}
