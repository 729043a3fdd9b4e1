/* thundering-herd: two threads wait on one epoll instance for one
 * level-triggered fd without EPOLLEXCLUSIVE or EPOLLONESHOT: every byte
 * wakes both threads, and both are handed the same readiness. */
#include "lint.h"

static int ep, sv[2];
static volatile int stop;

static void *waiter(void *arg)
{
    (void)arg;
    while (!stop) {
        struct epoll_event ev;
        if (epoll_wait(ep, &ev, 1, 50) == 1) {
            msleep(5);
            char c;
            (void)read(sv[0], &c, 1);
            msleep(5);
        }
    }
    return NULL;
}

int main(void)
{
    ep = epoll_create1(EPOLL_CLOEXEC);
    check(ep >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    nonblock(sv[0]);
    ep_add(ep, sv[0], EPOLLIN);
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        check(pthread_create(&t[i], NULL, waiter, NULL) == 0);
    msleep(20);
    for (int i = 0; i < 20; i++) {
        check(write(sv[1], "x", 1) == 1);
        msleep(25);
    }
    stop = 1;
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    expect("thundering-herd", sv[0]);
    return 0;
}
