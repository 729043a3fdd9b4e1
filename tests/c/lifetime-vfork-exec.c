/* lifetime-vfork-exec: a vfork child shares its parent's memory until it
 * execs. What it does there must not disturb the parent: closing its copy of
 * a registered descriptor leaves the parent's registration alone (the file
 * is still open in the parent, so the kernel keeps the item), and exec must
 * not change the parent's environ or heap. The new image inherits the
 * instance created without EPOLL_CLOEXEC (LIFE-EXEC-2). Shells and
 * spawners (bash, make, older posix_spawn) use vfork. */
#include "check.h"

extern char **environ;

static int exec_image(int ep)
{
    alarm(20);
    expect_wait("new image: inherited instance", ep, 8, 0, "IN data=7");
    say("new image: REPOLL_INHERIT visible: %s", getenv("REPOLL_INHERIT") ? "yes" : "no");
    return g_failed ? 1 : 0;
}

static int env_count(void)
{
    int n = 0;
    for (char **e = environ; *e; e++) n++;
    return n;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "exec-image") == 0)
        return exec_image(atoi(argv[2]));

    test_start();
    int p[2], q[2];
    check(pipe(p) == 0);
    check(pipe(q) == 0);
    int ep = epoll_create1(0);
    check(ep >= 0);
    check(ep_add(ep, p[0], EPOLLIN, 7) == 0);
    check(ep_add(ep, q[0], EPOLLIN, 9) == 0);
    put(p[1], 1);
    char a1[16];
    snprintf(a1, sizeof a1, "%d", ep);

    char **environ_before = environ;
    int count_before = env_count();

    for (int k = 0; k < 2; k++) {
        pid_t pid = vfork();
        check(pid >= 0);
        if (pid == 0) {
            close(q[0]);
            if (k == 0) {
                char *args[] = { "self", "exec-image", a1, NULL };
                execv("/proc/self/exe", args);
            } else {
                execl("/proc/self/exe", "self", "exec-image", a1, (char *)NULL);
            }
            _exit(127);
        }
        int st;
        check(waitpid(pid, &st, 0) == pid);
        say("%s child exit status: %d", k == 0 ? "execv" : "execl",
            WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
        if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) g_failed = 1;
    }

    say("parent: environ unchanged: %s",
        environ == environ_before && env_count() == count_before && !getenv("REPOLL_INHERIT") ? "yes" : "no");
    expect_wait("parent: instance intact", ep, 8, 0, "IN data=7");
    take(p[0], 1);
    put(q[1], 1);
    expect_wait("parent: item the child closed", ep, 8, 0, "IN data=9");
    expect_err(ep_add(ep, q[0], EPOLLIN, 9), EEXIST);

    close(ep);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
    return test_done();
}
