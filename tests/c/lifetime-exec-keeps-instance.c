/* lifetime-exec-keeps-instance: an epoll fd created without EPOLL_CLOEXEC
 * survives execve with its interest list intact: the new image gets the
 * registered item's event with the data set before exec, ADD of the item is
 * EEXIST, and readiness follows reads made in the new image
 * (LIFE-EXEC-2..5); one created with EPOLL_CLOEXEC is closed
 * (LIFE-EXEC-1, SEMANTICS 7.7, MUST 22). Shells, supervisors and re-exec
 * upgrades (nginx binary upgrade) hand descriptors across exec. The test
 * re-executes itself (/proc/self/exe) with the fd numbers as arguments; the
 * new image prints its findings and reports through its exit status. */
#include "check.h"

static int exec_image(int ep_keep, int ep_cloexec, int rd)
{
    alarm(20);
    int fl = fcntl(ep_cloexec, F_GETFD);
    say("new image: EPOLL_CLOEXEC instance closed: %s", fl < 0 && errno == EBADF ? "yes" : "no");
    if (!(fl < 0 && errno == EBADF)) g_failed = 1;
    expect_wait("new image: inherited instance", ep_keep, 8, 0, "IN data=7");
    expect_err(ep_add(ep_keep, rd, EPOLLIN, 8), EEXIST);
    char c;
    check(read(rd, &c, 1) == 1);
    expect_wait("new image: after reading the byte", ep_keep, 8, 0, "none");
    return g_failed ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "exec-image") == 0)
        return exec_image(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));

    test_start();
    int p[2];
    check(pipe(p) == 0);           /* inherited across exec */
    int ep_keep = epoll_create1(0);
    check(ep_keep >= 0);
    int ep_cloexec = epoll_create1(EPOLL_CLOEXEC);
    check(ep_cloexec >= 0);
    check(ep_add(ep_keep, p[0], EPOLLIN, 7) == 0);
    check(ep_add(ep_cloexec, p[0], EPOLLIN, 9) == 0);
    put(p[1], 1);

    pid_t pid = fork();
    check(pid >= 0);
    if (pid == 0) {
        char a1[16], a2[16], a3[16];
        snprintf(a1, sizeof a1, "%d", ep_keep);
        snprintf(a2, sizeof a2, "%d", ep_cloexec);
        snprintf(a3, sizeof a3, "%d", p[0]);
        char *args[] = { argv[0], "exec-image", a1, a2, a3, NULL };
        execv("/proc/self/exe", args);
        _exit(127);
    }
    int st;
    check(waitpid(pid, &st, 0) == pid);
    say("new image exit status: %d", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) g_failed = 1;
    expect_wait("parent: the byte was read by the new image", ep_keep, 8, 0, "none");

    close(ep_keep);
    close(ep_cloexec);
    close(p[0]);
    close(p[1]);
    return test_done();
}
