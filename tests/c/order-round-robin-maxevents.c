/* order-round-robin-maxevents: reported LT items go back to the tail of the
 * ready list, so a maxevents smaller than the number of ready items gives
 * round robin: with maxevents 1 over three ready pipes made readable c, a, b
 * the calls return c, a, b, c (ORD-2); with maxevents 2: (a,b) (c,a) (b,c)
 * continuing from where the previous call left off (ORD-3); one call never
 * returns an item twice (ORD-4). Twenty always-ready eventfds are each
 * returned exactly once by twenty calls with maxevents 1: no starvation
 * (ORD-14). data: 1 = a, 2 = b, 3 = c. */
#include "check.h"

int main(void)
{
    test_start();
    int a[2], b[2], c[2];
    make_pipe(a);
    make_pipe(b);
    make_pipe(c);
    int ep = make_epoll();
    check(ep_add(ep, a[0], EPOLLIN, 1) == 0);
    check(ep_add(ep, b[0], EPOLLIN, 2) == 0);
    check(ep_add(ep, c[0], EPOLLIN, 3) == 0);
    put(c[1], 1);
    put(a[1], 1);
    put(b[1], 1);

    expect_wait("maxevents 1, call 1", ep, 1, 0, "IN data=3");
    expect_wait("maxevents 1, call 2", ep, 1, 0, "IN data=1");
    expect_wait("maxevents 1, call 3", ep, 1, 0, "IN data=2");
    expect_wait("maxevents 1, call 4", ep, 1, 0, "IN data=3");
    expect_wait("maxevents 2, call 1", ep, 2, 0, "IN data=1, IN data=2");
    expect_wait("maxevents 2, call 2", ep, 2, 0, "IN data=3, IN data=1");
    expect_wait("maxevents 2, call 3", ep, 2, 0, "IN data=2, IN data=3");
    expect_wait("maxevents 8: each once", ep, 8, 0, "IN data=1, IN data=2, IN data=3");
    close(ep);

    /* ORD-14: twenty always-ready items, maxevents 1 */
    int efd[20];
    ep = make_epoll();
    for (int i = 0; i < 20; i++) {
        efd[i] = make_eventfd(1, 0);
        check(ep_add(ep, efd[i], EPOLLIN, (uint64_t)i) == 0);
    }
    int seen[20] = {0};
    int distinct = 0;
    for (int i = 0; i < 20; i++) {
        struct epoll_event ev;
        check(epoll_wait(ep, &ev, 1, 0) == 1);
        check(ev.data.u64 < 20);
        if (!seen[ev.data.u64]++) distinct++;
    }
    expect_eq("distinct items in 20 calls with maxevents 1", distinct, 20);
    for (int i = 0; i < 20; i++) close(efd[i]);
    close(ep);

    close(a[0]); close(a[1]);
    close(b[0]); close(b[1]);
    close(c[0]); close(c[1]);
    return test_done();
}
