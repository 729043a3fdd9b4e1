/* threads-two-waiters-et-once: several threads blocked in epoll_wait on one
 * instance queue exclusively: an ET event is delivered to exactly one of two
 * waiters (THR-TWO-1), and a second write (a new edge) goes to the other one
 * (SEMANTICS 10.3, MUST 28). A poll(2)-based emulation wakes every thread
 * and must hand the event to only one of them. The test checks that after
 * the first write exactly one waiter returned and, 300 ms later, still only
 * one; a correct implementation can never show two. */
#include "check.h"

static int g_ep;
static atomic_int g_returned;
static atomic_int g_events;

static void *waiter(void *arg)
{
    (void)arg;
    struct epoll_event ev[4];
    int n = epoll_wait(g_ep, ev, 4, -1);
    check(n >= 0);
    atomic_fetch_add(&g_events, n);
    atomic_fetch_add(&g_returned, 1);
    return NULL;
}

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    g_ep = ep;
    check(ep_add(ep, p[0], EPOLLIN | EPOLLET, 1) == 0);

    pthread_t t[2];
    for (int i = 0; i < 2; i++) check(pthread_create(&t[i], NULL, waiter, NULL) == 0);
    sleep_ms(100);
    put(p[1], 1);
    for (int i = 0; i < 1000 && atomic_load(&g_returned) < 1; i++) sleep_ms(5);
    sleep_ms(300);
    expect_eq("waiters returned after the first write", atomic_load(&g_returned), 1);
    expect_eq("events delivered after the first write", atomic_load(&g_events), 1);

    put(p[1], 1);
    for (int i = 0; i < 2; i++) check(pthread_join(t[i], NULL) == 0);
    expect_eq("waiters returned after the second write", atomic_load(&g_returned), 2);
    expect_eq("events delivered in total", atomic_load(&g_events), 2);
    expect_wait("nothing left", ep, 8, 0, "none");

    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
