/* Correct: a multi-threaded server where each thread has its own epoll
 * instance and registers the shared listener with EPOLLEXCLUSIVE; accept
 * failing with EAGAIN in the threads that lose the race is expected. */
// options: halfclose_timeout_ms=100
#include "lint.h"

#define THREADS 3
static int l;
static volatile int stop, served;

static void *worker(void *arg)
{
    (void)arg;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    check(ep >= 0);
    ep_add(ep, l, EPOLLIN | EPOLLEXCLUSIVE);
    while (!stop) {
        struct epoll_event ev;
        if (epoll_wait(ep, &ev, 1, 20) != 1)
            continue;
        int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            check(errno == EAGAIN);
            continue;
        }
        char b[8];
        ssize_t r = read(c, b, sizeof b);
        if (r > 0)
            check(write(c, b, r) == r);
        close(c);
        __sync_fetch_and_add(&served, 1);
    }
    close(ep);
    return NULL;
}

int main(void)
{
    int port;
    l = tcp_listener(&port);
    nonblock(l);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        check(pthread_create(&t[i], NULL, worker, NULL) == 0);
    for (int i = 0; i < 30; i++) {
        int c = tcp_connect(port);
        check(write(c, "ping", 4) == 4);
        char b[8];
        check(read(c, b, sizeof b) == 4);
        close(c);
    }
    stop = 1;
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    check(served == 30);
    return 0;
}
