/* limits-many-items: one instance holds 1000 registrations (LIM-MANY-1); all
 * 1000 ready items are returned by one call with maxevents 1000
 * (LIM-MANY-2) and, 10 at a time, by 100 calls without repeats (LIM-MANY-3);
 * closing them empties the instance (LIM-MANY-4). One pipe watched by 100
 * instances is reported by each (LIM-FANOUT-1, SEMANTICS 12.2). */
#include "check.h"

#define N 1000
static int g_fd[N];
static struct epoll_event g_ev[N];
static unsigned char g_seen[N];

int main(void)
{
    test_start();
    int ep = make_epoll();
    for (int i = 0; i < N; i++) {
        g_fd[i] = make_eventfd(1, 0);
        check(ep_add(ep, g_fd[i], EPOLLIN, (uint64_t)i) == 0);
    }
    int n = epoll_wait(ep, g_ev, N, 0);
    expect_eq("one call, maxevents 1000", n, N);
    int distinct = 0;
    for (int i = 0; i < n; i++) {
        check(g_ev[i].data.u64 < N);
        if (!g_seen[g_ev[i].data.u64]++) distinct++;
    }
    expect_eq("distinct", distinct, N);

    memset(g_seen, 0, sizeof g_seen);
    distinct = 0;
    int total = 0;
    for (int call = 0; call < N / 10; call++) {
        n = epoll_wait(ep, g_ev, 10, 0);
        check(n == 10);
        for (int i = 0; i < n; i++) {
            check(g_ev[i].data.u64 < N);
            if (!g_seen[g_ev[i].data.u64]++) distinct++;
        }
        total += n;
    }
    expect_eq("100 calls with maxevents 10: events", total, N);
    expect_eq("100 calls with maxevents 10: distinct", distinct, N);

    for (int i = 0; i < N; i++) close(g_fd[i]);
    expect_wait("all closed", ep, 8, 0, "none");
    close(ep);

    int p[2];
    make_pipe(p);
    static int eps[100];
    for (int i = 0; i < 100; i++) {
        eps[i] = make_epoll();
        check(ep_add(eps[i], p[0], EPOLLIN, (uint64_t)i) == 0);
    }
    put(p[1], 1);
    int reported = 0;
    for (int i = 0; i < 100; i++) {
        struct epoll_event ev;
        if (epoll_wait(eps[i], &ev, 1, 0) == 1 && ev.data.u64 == (uint64_t)i) reported++;
    }
    expect_eq("instances reporting one written pipe", reported, 100);
    for (int i = 0; i < 100; i++) close(eps[i]);
    close(p[0]);
    close(p[1]);
    return test_done();
}
