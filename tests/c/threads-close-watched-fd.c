/* threads-close-watched-fd: closing a watched fd (its last descriptor) while
 * another thread is blocked in epoll_wait removes the item silently: the
 * waiter gets no event for it, neither HUP nor anything else; here it wakes
 * only for a second registered pipe written afterwards (THR-CLOSEFD-1). A
 * poll(2)-based emulation sees POLLNVAL for the closed number and must not
 * turn it into an event. */
#include "check.h"

static int g_close_r, g_close_w, g_keep_w;

static void *close_then_write(void *arg)
{
    (void)arg;
    sleep_ms(50);
    check(close(g_close_r) == 0);
    check(close(g_close_w) == 0);
    sleep_ms(50);
    put(g_keep_w, 1);
    return NULL;
}

int main(void)
{
    test_start();
    int p[2], q[2];
    make_pipe(p);
    make_pipe(q);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN | EPOLLRDHUP, 1) == 0);
    check(ep_add(ep, q[0], EPOLLIN, 2) == 0);
    g_close_r = p[0];
    g_close_w = p[1];
    g_keep_w = q[1];

    pthread_t t;
    check(pthread_create(&t, NULL, close_then_write, NULL) == 0);
    expect_wait("blocked wait across close of a watched fd", ep, 8, 5000, "IN data=2");
    check(pthread_join(t, NULL) == 0);
    expect_wait("again", ep, 8, 0, "IN data=2");

    close(ep);
    close(q[0]);
    close(q[1]);
    return test_done();
}
