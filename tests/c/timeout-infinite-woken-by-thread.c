/* timeout-infinite-woken-by-thread: timeout -1, and any other negative value,
 * waits forever (TMO-5, TMO-6); the wait ends when another thread makes a
 * registered fd ready (a pipe write, an eventfd write), and returns that
 * event. epoll_pwait2 with a NULL timespec is infinite too (TMO-9). The
 * writer sleeps a little first so the waiter is usually blocked already, but
 * the outcome is the same if it is not. */
#include "check.h"

static int g_fd;
static int g_is_eventfd;

static void *poke(void *arg)
{
    (void)arg;
    sleep_ms(50);
    if (g_is_eventfd) check(eventfd_write(g_fd, 1) == 0);
    else put(g_fd, 1);
    return NULL;
}

static void round_trip(const char *label, int ep, int fd, int is_eventfd, int how)
{
    pthread_t t;
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    g_fd = fd;
    g_is_eventfd = is_eventfd;
    check(pthread_create(&t, NULL, poke, NULL) == 0);
    int n;
    if (how == 0) n = epoll_wait(ep, &ev, 1, -1);
    else if (how == 1) n = epoll_wait(ep, &ev, 1, -12345);
    else n = epoll_pwait2(ep, &ev, 1, NULL, NULL);
    say("%s: n=%d %s data=%" PRIu64, label, n, evname(ev.events), (uint64_t)ev.data.u64);
    check(n == 1);
    check(pthread_join(t, NULL) == 0);
}

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int efd = make_eventfd(0, 0);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);
    check(ep_add(ep, efd, EPOLLIN | EPOLLET, 2) == 0);

    round_trip("epoll_wait -1, pipe write", ep, p[1], 0, 0);
    check(drain(p[0]) == 1);
    round_trip("epoll_wait -12345, eventfd write", ep, efd, 1, 1);
    eventfd_t v;
    check(eventfd_read(efd, &v) == 0);
    round_trip("epoll_pwait2 NULL timespec, pipe write", ep, p[1], 0, 2);
    check(drain(p[0]) == 1);

    close(ep);
    close(efd);
    close(p[0]);
    close(p[1]);
    return test_done();
}
