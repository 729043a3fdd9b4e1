/* demo.c - what epoll_wait returns for a socketpair (level-triggered), a pipe
 * and an eventfd (edge-triggered), driven by a small echo loop. Same output
 * under the kernel's epoll and under repoll: `make demo` runs it both ways.
 * Events of one wait are printed sorted by name, since their order is not
 * part of the API. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include "epoll.h"

static int ep, sv[2], p[2], efd;

static void wait_and_show(const char *what)
{
    struct epoll_event ev[4];
    int n = epoll_wait(ep, ev, 4, 100), i, j;
    if (n < 0) { perror("epoll_wait"); exit(1); }
    for (i = 1; i < n; i++)                     /* insertion sort by name */
        for (j = i; j > 0 && strcmp(ev[j].data.ptr, ev[j - 1].data.ptr) < 0; j--) {
            struct epoll_event t = ev[j]; ev[j] = ev[j - 1]; ev[j - 1] = t;
        }
    printf("%-40s ->%s", what, n ? "" : " nothing (100 ms timeout)");
    for (i = 0; i < n; i++)
        printf(" %s:%s%s%s%s", (char *)ev[i].data.ptr, ev[i].events & EPOLLIN ? " IN" : "",
               ev[i].events & EPOLLOUT ? " OUT" : "", ev[i].events & EPOLLRDHUP ? " RDHUP" : "",
               ev[i].events & EPOLLHUP ? " HUP" : "");
    printf("\n");
}

static void watch(int op, int fd, uint32_t events, const char *name)
{
    struct epoll_event ev = { .events = events, .data.ptr = (void *)name };
    if (epoll_ctl(ep, op, fd, &ev) < 0) { perror("epoll_ctl"); exit(1); }
}

int main(void)
{
    char buf[64];
    ssize_t n;
    if (repoll_active()) fprintf(stderr, "(epoll provided by %s)\n", repoll_version());
    else fprintf(stderr, "(epoll provided by the kernel)\n");
    setvbuf(stdout, NULL, _IOLBF, 0);
    if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 ||
        pipe(p) < 0 || (efd = eventfd(0, EFD_NONBLOCK)) < 0) { perror("setup"); return 1; }
    watch(EPOLL_CTL_ADD, sv[0], EPOLLIN, "socket");             /* level-triggered */
    watch(EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLET, "pipe");      /* edge-triggered */
    watch(EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLET, "eventfd");    /* edge-triggered */

    wait_and_show("nothing written yet");
    write(sv[1], "ping", 4);
    wait_and_show("peer sent \"ping\" (LT)");
    wait_and_show("not read yet: LT reports it again");
    n = read(sv[0], buf, sizeof buf);                          /* the echo */
    write(sv[0], buf, n);
    n = read(sv[1], buf, sizeof buf);
    printf("%-40s -> \"%.*s\"\n", "echoed back, peer reads", (int)n, buf);
    wait_and_show("drained: nothing");
    write(p[1], "a", 1);
    wait_and_show("pipe written (ET)");
    wait_and_show("not read yet: ET reports no more");
    write(p[1], "b", 1);
    wait_and_show("second write: a new edge, still unread");
    eventfd_write(efd, 1);
    wait_and_show("eventfd_write 1 (ET)");
    eventfd_write(efd, 1);
    wait_and_show("eventfd_write 1 again, never read");
    write(sv[1], "x", 1), write(p[1], "c", 1), eventfd_write(efd, 1);
    wait_and_show("all three at once");
    watch(EPOLL_CTL_MOD, sv[0], EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, "socket");
    wait_and_show("socket MOD to IN|OUT|RDHUP|ET");
    shutdown(sv[1], SHUT_WR);
    close(p[1]);
    wait_and_show("peer SHUT_WR, pipe writer closed");
    wait_and_show("ET: nothing new");
    close(ep);
    return 0;
}
