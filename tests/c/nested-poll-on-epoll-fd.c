/* nested-poll-on-epoll-fd: poll(2) on an epoll fd reports POLLIN exactly when
 * epoll_wait on it would return an event, and does not consume anything
 * (NEST-3, PEQ-EPFD-1/2, SEMANTICS 5.3, MUST 17). It never reports POLLOUT,
 * even when asked for (the epoll file has no write side, EV-EP-READY-OUT).
 * Programs mix poll()/select() with an epoll fd (an epoll fd handed to a GUI
 * toolkit's poll loop). A thread blocked in poll() on the epoll fd is woken
 * when an item becomes ready. */
#include "check.h"

static int g_pipe_w;

static void *writer(void *arg)
{
    (void)arg;
    sleep_ms(50);
    put(g_pipe_w, 1);
    return NULL;
}

static void poll_epfd(const char *label, int ep, short events, int timeout, int want_n, short want_revents)
{
    struct pollfd pfd = { ep, events, 0 };
    int n = poll(&pfd, 1, timeout);
    say("%s: n=%d revents=%s", label, n, evname((uint16_t)pfd.revents));
    if (n != want_n || pfd.revents != want_revents) {
        char want[64], got[64];
        snprintf(want, sizeof want, "n=%d revents=%s", want_n, evname((uint16_t)want_revents));
        snprintf(got, sizeof got, "n=%d revents=%s", n, evname((uint16_t)pfd.revents));
        mismatch(label, want, got, __FILE__, __LINE__);
    }
}

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    g_pipe_w = p[1];
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);

    poll_epfd("POLLIN, nothing ready", ep, POLLIN, 0, 0, 0);
    put(p[1], 1);
    poll_epfd("POLLIN, item ready", ep, POLLIN, 0, 1, POLLIN);
    poll_epfd("POLLIN, again (nothing consumed)", ep, POLLIN, 0, 1, POLLIN);
    expect_wait("epoll_wait after poll", ep, 8, 0, "IN data=1");
    check(drain(p[0]) == 1);
    poll_epfd("POLLIN, drained", ep, POLLIN, 0, 0, 0);

    pthread_t t;
    check(pthread_create(&t, NULL, writer, NULL) == 0);
    poll_epfd("POLLIN, blocking, woken by a write from another thread", ep, POLLIN, 10000, 1, POLLIN);
    check(pthread_join(t, NULL) == 0);
    expect_wait("epoll_wait", ep, 8, 0, "IN data=1");
    check(drain(p[0]) == 1);

    poll_epfd("POLLIN|POLLOUT, nothing ready", ep, POLLIN | POLLOUT, 0, 0, 0);
    put(p[1], 1);
    poll_epfd("POLLIN|POLLOUT, item ready", ep, POLLIN | POLLOUT, 0, 1, POLLIN);
    check(drain(p[0]) == 1);

    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
