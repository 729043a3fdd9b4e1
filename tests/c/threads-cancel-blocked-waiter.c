/* threads-cancel-blocked-waiter: epoll_wait is a cancellation point
 * (man 7 pthreads). A thread blocked in it is cancelled by pthread_cancel,
 * and the instance stays fully usable: another thread can then ADD, wait and
 * receive events. A library that holds the instance lock while blocked (or
 * leaves waiter state behind when unwound) deadlocks or misbehaves here
 * (PITFALLS "Lock held across a blocking call"). */
#include "check.h"

static int g_ep;
static atomic_int g_cleanup_ran;

static void cleanup(void *arg) { (void)arg; atomic_store(&g_cleanup_ran, 1); }

static void *blocked(void *arg)
{
    (void)arg;
    struct epoll_event ev;
    pthread_cleanup_push(cleanup, NULL);
    epoll_wait(g_ep, &ev, 1, -1);
    pthread_cleanup_pop(0);
    return (void *)1;
}

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    g_ep = make_epoll();
    check(ep_add(g_ep, p[0], EPOLLIN, 1) == 0);

    for (int round = 0; round < 3; round++) {
        pthread_t t;
        atomic_store(&g_cleanup_ran, 0);
        check(pthread_create(&t, NULL, blocked, NULL) == 0);
        sleep_ms(100);
        check(pthread_cancel(t) == 0);
        void *res;
        check(pthread_join(t, &res) == 0);
        say("round %d: cancelled: %s, cleanup ran: %s", round,
            res == PTHREAD_CANCELED ? "yes" : "no", atomic_load(&g_cleanup_ran) ? "yes" : "no");
        if (res != PTHREAD_CANCELED) g_failed = 1;
    }

    int q[2];
    make_pipe(q);
    expect_ok(ep_add(g_ep, q[0], EPOLLIN, 2));
    put(q[1], 1);
    expect_wait("instance after the cancellations", g_ep, 8, 1000, "IN data=2");
    put(p[1], 1);
    expect_wait("both", g_ep, 8, 1000, "IN data=2, IN data=1");

    close(g_ep);
    close(p[0]); close(p[1]);
    close(q[0]); close(q[1]);
    return test_done();
}
