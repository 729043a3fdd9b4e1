/* execself.c - records survive an exec.
 *
 * The first image does 3 epoll calls and execs itself with "again"; the
 * new image (same pid) does 3 more and exits. With log_path=...%p both
 * images write the same file, in order: 6 records.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event out[1];
    epoll_wait(ep, out, 1, 0);
    epoll_wait(ep, out, 1, 0);
    if (argc < 2 || strcmp(argv[1], "again") != 0) {
        char *args[] = {argv[0], "again", NULL};
        execv("/proc/self/exe", args);
        perror("execv");
        return 1;
    }
    printf("exec done\n");
    return 0;
}
