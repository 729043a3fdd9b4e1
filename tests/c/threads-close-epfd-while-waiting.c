/* threads-close-epfd-while-waiting: close(epfd) while another thread is
 * blocked in epoll_wait on it changes nothing for the waiter: the open file
 * stays alive while in use, so the waiter still receives the event of an
 * item that becomes ready afterwards (THR-CLOSEEP-1, MUST 27). New calls on
 * the closed number fail EBADF (THR-CLOSEEP-3). An emulation must
 * reference-count instances rather than free them on close. */
#include "check.h"

static int g_ep, g_w;

static void *close_then_write(void *arg)
{
    (void)arg;
    sleep_ms(200);   /* generous: the waiter must be inside epoll_wait first */
    check(close(g_ep) == 0);
    sleep_ms(20);
    put(g_w, 1);
    return NULL;
}

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN, 1) == 0);
    g_ep = ep;
    g_w = p[1];

    pthread_t t;
    check(pthread_create(&t, NULL, close_then_write, NULL) == 0);
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    int n = epoll_wait(ep, &ev, 1, 5000);
    say("waiter after close(epfd) and a write: n=%d %s data=%" PRIu64,
        n, evname(ev.events), (uint64_t)ev.data.u64);
    check(pthread_join(t, NULL) == 0);
    if (!(n == 1 && ev.events == EPOLLIN && ev.data.u64 == 1)) g_failed = 1;
    expect_err(epoll_wait(ep, &ev, 1, 0), EBADF);
    expect_err(ep_add(ep, p[1], EPOLLOUT, 2), EBADF);

    close(p[0]);
    close(p[1]);
    return test_done();
}
