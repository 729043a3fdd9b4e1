/* threads-lt-event-wakes-all-waiters: with several threads blocked in
 * epoll_wait on one instance, a level-triggered event that nobody consumes
 * is re-queued after each report and the waker passes it on, so every
 * waiter gets it (THR-TWO-2, THR-MANY-1, SEMANTICS 10.3, MUST 28). Four
 * waiters, one write that is never read: all four return with IN. An
 * emulation that hands each event to a single waiter leaves three hanging. */
#include "check.h"

#define WAITERS 4
static int g_ep;
static atomic_int g_got;

static void *waiter(void *arg)
{
    (void)arg;
    struct epoll_event ev;
    int n = epoll_wait(g_ep, &ev, 1, 10000);
    if (n == 1 && ev.events == EPOLLIN && ev.data.u64 == 1) atomic_fetch_add(&g_got, 1);
    return NULL;
}

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    g_ep = make_epoll();
    check(ep_add(g_ep, p[0], EPOLLIN, 1) == 0);
    pthread_t t[WAITERS];
    for (int i = 0; i < WAITERS; i++) check(pthread_create(&t[i], NULL, waiter, NULL) == 0);
    sleep_ms(100);
    put(p[1], 1);
    for (int i = 0; i < WAITERS; i++) check(pthread_join(t[i], NULL) == 0);
    expect_eq("waiters that got IN data=1", atomic_load(&g_got), WAITERS);
    expect_wait("still ready", g_ep, 8, 0, "IN data=1");

    close(g_ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
