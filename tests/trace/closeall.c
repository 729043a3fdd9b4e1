/* closeall.c - a daemon that closes every descriptor above 2.
 *
 * Many daemons (and spawners) close all descriptors from 3 up, one by one
 * or with close_range. repoll's log file must survive: the epoll calls
 * made afterwards must still be in the trace.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/epoll.h>
#include <unistd.h>

int main(void) {
    int ep = epoll_create1(0);
    struct epoll_event out[1];
    epoll_wait(ep, out, 1, 0);
    for (int fd = 3; fd < 4096; fd++) close(fd);
    ep = epoll_create1(0);
    epoll_wait(ep, out, 1, 0);
    printf("closed\n");
    return 0;
}
