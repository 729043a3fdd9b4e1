/* threads-ctl-wakes-blocked-waiter: epoll_ctl from another thread takes
 * effect for a thread already blocked in epoll_wait(-1): ADD of an fd that is
 * already readable wakes it with that item's data (THR-ADD-1), and MOD that
 * widens the interest to a state the fd is already in wakes it with the new
 * data (THR-MOD-1, SEMANTICS 10.1, MUST 26). An emulation blocked in poll(2)
 * on a stale fd set must be woken by epoll_ctl. The helper thread sleeps a
 * little first so the waiter is usually blocked; the result is the same if
 * it is not. */
#include "check.h"

static int g_ep, g_fd, g_op;
static uint32_t g_events;
static uint64_t g_data;

static void *do_ctl(void *arg)
{
    (void)arg;
    sleep_ms(50);
    check(ep_ctl(g_ep, g_op, g_fd, g_events, g_data) == 0);
    return NULL;
}

static void blocked_wait(const char *label, const char *want)
{
    pthread_t t;
    check(pthread_create(&t, NULL, do_ctl, NULL) == 0);
    expect_wait(label, g_ep, 8, -1, want);
    check(pthread_join(t, NULL) == 0);
}

int main(void)
{
    test_start();
    int p[2], q[2];
    make_pipe(p);
    make_pipe(q);
    int ep = make_epoll();
    put(p[1], 1);
    put(q[1], 1);
    check(ep_add(ep, q[0], EPOLLOUT, 2) == 0);   /* read end: never writable */

    g_ep = ep;
    g_op = EPOLL_CTL_ADD; g_fd = p[0]; g_events = EPOLLIN; g_data = 1;
    blocked_wait("woken by ADD of a readable fd", "IN data=1");
    check(ep_del(ep, p[0]) == 0);

    g_op = EPOLL_CTL_MOD; g_fd = q[0]; g_events = EPOLLIN | EPOLLOUT; g_data = 22;
    blocked_wait("woken by MOD widening OUT to IN|OUT", "IN data=22");

    close(ep);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
    return test_done();
}
