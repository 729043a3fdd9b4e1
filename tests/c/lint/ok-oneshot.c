/* Correct: EPOLLONESHOT with a worker thread that reads what is there and
 * re-arms with EPOLL_CTL_MOD; several threads share the instance (the
 * pattern for multi-threaded loops). */
// options: lint_oneshot_ms=30
#include "lint.h"

static int ep, sv[2];
static volatile int stop, got;

static void *loop(void *arg)
{
    (void)arg;
    while (!stop) {
        struct epoll_event ev;
        if (epoll_wait(ep, &ev, 1, 20) != 1)
            continue;
        char b[64];
        while (read(sv[0], b, sizeof b) > 0)
            __sync_fetch_and_add(&got, 1);
        msleep(10); /* the handling takes a while */
        struct epoll_event re = {.events = EPOLLIN | EPOLLONESHOT, .data.fd = sv[0]};
        check(epoll_ctl(ep, EPOLL_CTL_MOD, sv[0], &re) == 0);
    }
    return NULL;
}

int main(void)
{
    ep = epoll_create1(EPOLL_CLOEXEC);
    check(ep >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    nonblock(sv[0]);
    ep_add(ep, sv[0], EPOLLIN | EPOLLONESHOT);
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        check(pthread_create(&t[i], NULL, loop, NULL) == 0);
    for (int i = 0; i < 30; i++) {
        check(write(sv[1], "data", 4) == 4);
        msleep(7);
    }
    msleep(60);
    stop = 1;
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    check(got > 0);
    return 0;
}
