/* threads-del-prevents-report: EPOLL_CTL_DEL from another thread takes effect
 * for a thread blocked in epoll_wait: data written into the deleted fd after
 * the DEL is never reported, while a second, still registered fd written
 * afterwards is (THR-DEL-1, MUST 26). The waiter must get exactly the second
 * item; an emulation polling a stale fd set would report the deleted one. */
#include "check.h"

static int g_ep, g_del_r, g_del_w, g_keep_w;

static void *del_then_write(void *arg)
{
    (void)arg;
    sleep_ms(50);
    check(ep_del(g_ep, g_del_r) == 0);
    put(g_del_w, 1);
    sleep_ms(20);
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
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);
    check(ep_add(ep, q[0], EPOLLIN, 2) == 0);
    g_ep = ep;
    g_del_r = p[0];
    g_del_w = p[1];
    g_keep_w = q[1];

    pthread_t t;
    check(pthread_create(&t, NULL, del_then_write, NULL) == 0);
    /* -1: if the deleted item were reported, it would come first */
    expect_wait("blocked wait across a DEL", ep, 8, -1, "IN data=2");
    check(pthread_join(t, NULL) == 0);
    expect_wait("again (LT)", ep, 8, 0, "IN data=2");

    close(ep);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
    return test_done();
}
