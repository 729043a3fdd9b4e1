/* threads-cancel-pwait-instance-usable: epoll_wait, epoll_pwait and
 * epoll_pwait2 are cancellation points. Threads blocked in each (several at
 * once, on one instance) are cancelled with pthread_cancel; no lock may be
 * left held: while they are being cancelled and afterwards, other threads
 * keep using the instance (ADD, MOD, DEL, a blocking wait woken by a write),
 * and a thread that was blocked all along in a wait on another instance
 * still gets its event. (threads-cancel-blocked-waiter cancels one epoll_wait and uses
 * the instance from the main thread.) */
#include "check.h"

static int g_ep;

static void *blocked(void *arg)
{
    long kind = (long)arg;
    struct epoll_event ev;
    sigset_t empty;
    sigemptyset(&empty);
    if (kind == 0) epoll_wait(g_ep, &ev, 1, -1);
    else if (kind == 1) epoll_pwait(g_ep, &ev, 1, -1, &empty);
    else epoll_pwait2(g_ep, &ev, 1, NULL, &empty);
    return (void *)1;
}

static int g_ep2;
static void *survivor(void *arg)
{
    (void)arg;
    struct epoll_event ev;
    int n = epoll_wait(g_ep2, &ev, 1, 10000);
    return (void *)(long)(n == 1 && ev.data.u64 == 7 ? 1 : 0);
}

static int g_pw;
static void *writer(void *arg)
{
    (void)arg;
    sleep_ms(100);
    put(g_pw, 1);
    return NULL;
}

int main(void)
{
    test_start();
    int p[2], q[2], r[2];
    make_pipe(p);
    make_pipe(q);
    make_pipe(r);
    g_ep = make_epoll();
    g_ep2 = make_epoll();
    check(ep_add(g_ep, p[0], EPOLLIN, 1) == 0);
    check(ep_add(g_ep2, r[0], EPOLLIN, 7) == 0);
    pthread_t surv;
    check(pthread_create(&surv, NULL, survivor, NULL) == 0);

    for (int round = 0; round < 3; round++) {
        pthread_t t[6];
        for (int i = 0; i < 6; i++) check(pthread_create(&t[i], NULL, blocked, (void *)(long)(i % 3)) == 0);
        sleep_ms(50);
        for (int i = 0; i < 6; i++) check(pthread_cancel(t[i]) == 0);
        /* use the instance while the cancellations are in flight */
        check(ep_add(g_ep, q[0], EPOLLIN, 2) == 0);
        check(ep_mod(g_ep, q[0], EPOLLIN | EPOLLET, 3) == 0);
        check(ep_del(g_ep, q[0]) == 0);
        int cancelled = 0;
        for (int i = 0; i < 6; i++) {
            void *res;
            check(pthread_join(t[i], &res) == 0);
            cancelled += res == PTHREAD_CANCELED;
        }
        say("round %d: %d of 6 waiters cancelled", round, cancelled);
        if (cancelled != 6) g_failed = 1;
    }

    check(ep_add(g_ep, q[0], EPOLLIN, 4) == 0);
    g_pw = q[1];
    pthread_t w;
    check(pthread_create(&w, NULL, writer, NULL) == 0);
    expect_wait("blocking wait after the cancellations", g_ep, 8, 5000, "IN data=4");
    check(pthread_join(w, NULL) == 0);
    put(r[1], 1);
    void *res;
    check(pthread_join(surv, &res) == 0);
    say("waiter on another instance got its event: %s", res == (void *)1 ? "yes" : "no");
    if (res != (void *)1) g_failed = 1;

    close(g_ep);
    close(g_ep2);
    close(p[0]); close(p[1]);
    close(q[0]); close(q[1]);
    close(r[0]); close(r[1]);
    return test_done();
}
