/* nested-blocked-outer-woken: activity on an item of an inner instance wakes
 * a thread blocked in epoll_wait on an outer instance (NEST-9); one inner can
 * sit in several outers, each reporting it with its own data (NEST-10);
 * closing the inner fd (its last reference) removes it from the outer
 * (NEST-11, SEMANTICS 9.3). */
#include "check.h"

static int g_w;

static void *poke(void *arg)
{
    (void)arg;
    sleep_ms(50);
    put(g_w, 1);
    return NULL;
}

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    g_w = p[1];
    int inner = make_epoll(), outer1 = make_epoll(), outer2 = make_epoll();
    check(ep_add(inner, p[0], EPOLLIN, 1) == 0);
    check(ep_add(outer1, inner, EPOLLIN, 10) == 0);
    check(ep_add(outer2, inner, EPOLLIN, 20) == 0);

    pthread_t t;
    check(pthread_create(&t, NULL, poke, NULL) == 0);
    expect_wait("outer 1 blocked, woken by a write into the inner's pipe", outer1, 8, -1, "IN data=10");
    check(pthread_join(t, NULL) == 0);
    expect_wait("outer 2", outer2, 8, 0, "IN data=20");
    expect_wait("inner", inner, 8, 0, "IN data=1");

    check(close(inner) == 0);
    expect_wait("outer 1 after closing the inner", outer1, 8, 0, "none");
    expect_wait("outer 2 after closing the inner", outer2, 8, 0, "none");

    close(outer1);
    close(outer2);
    close(p[0]);
    close(p[1]);
    return test_done();
}
