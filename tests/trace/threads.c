/* threads.c [THREADS] [ITERATIONS] - many threads tracing at once.
 *
 * Each thread creates its own epoll instance and pipe, then loops:
 * write one byte, epoll_wait (returns the pipe), read it back. The trace
 * must hold, for every thread, exactly 1 epoll_create1 + 1 epoll_ctl +
 * ITERATIONS epoll_wait records, every line whole (run.sh parses each one).
 * Threads exit before main returns, so per-thread buffers are written by
 * the thread-exit path (trace_buffer>0) or at once (default).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

static int iterations = 2000;

static void *worker(void *arg) {
    (void)arg;
    int p[2];
    if (pipe(p) != 0) abort();
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (unsigned long)p[0] << 32 | 0xabc};
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) != 0) abort();
    for (int i = 0; i < iterations; i++) {
        char c = 'x';
        struct epoll_event out[4];
        if (write(p[1], &c, 1) != 1) abort();
        if (epoll_wait(ep, out, 4, -1) != 1) abort();
        if (read(p[0], &c, 1) != 1) abort();
    }
    close(ep);
    close(p[0]);
    close(p[1]);
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 8;
    if (argc > 2) iterations = atoi(argv[2]);
    pthread_t t[64];
    for (int i = 0; i < threads && i < 64; i++)
        if (pthread_create(&t[i], NULL, worker, NULL) != 0) abort();
    for (int i = 0; i < threads && i < 64; i++) pthread_join(t[i], NULL);
    printf("threads %d iterations %d\n", threads, iterations);
    return 0;
}
