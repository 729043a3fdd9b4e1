/* lt-eventfd-reports-while-ready: a level-triggered eventfd is reported on
 * every wait while its counter is non-zero; a read of a plain eventfd takes the
 * whole counter and stops the reports (LT-EVENTFD-1..5); an EFD_SEMAPHORE
 * eventfd read takes 1, so a partial consumption keeps it reported
 * (LT-EVENTFDSEM-4). eventfd is what most event loops use as their wake-up
 * channel, and an LD_PRELOAD emulation hooks its reads and writes. */
#include "check.h"

int main(void)
{
    test_start();
    int efd = make_eventfd(0, 0);
    int sem = make_eventfd(0, EFD_SEMAPHORE);
    int ep = make_epoll();
    check(ep_add(ep, efd, EPOLLIN, 10) == 0);
    check(ep_add(ep, sem, EPOLLIN, 20) == 0);
    eventfd_t v;

    expect_wait("both counters 0", ep, 8, 0, "none");
    check(eventfd_write(efd, 1) == 0);
    expect_wait("plain counter 1", ep, 8, 0, "IN data=10");
    expect_wait("again, nothing read", ep, 8, 0, "IN data=10");
    check(eventfd_write(efd, 5) == 0);
    expect_wait("plain counter 6", ep, 8, 0, "IN data=10");
    check(eventfd_read(efd, &v) == 0);
    expect_eq("plain read value", v, 6);
    expect_wait("plain counter read", ep, 8, 0, "none");

    check(eventfd_write(sem, 2) == 0);
    expect_wait("semaphore counter 2", ep, 8, 0, "IN data=20");
    check(eventfd_read(sem, &v) == 0);
    expect_eq("semaphore read value", v, 1);
    expect_wait("semaphore counter 1", ep, 8, 0, "IN data=20");
    check(eventfd_read(sem, &v) == 0);
    expect_wait("semaphore counter 0", ep, 8, 0, "none");

    close(ep);
    close(efd);
    close(sem);
    return test_done();
}
