/* repoll/epoll.h - the epoll API as a C or C++ program sees it with repoll.
 *
 * librepoll.so exports the standard epoll functions (epoll_create,
 * epoll_create1, epoll_ctl, epoll_wait, epoll_pwait, epoll_pwait2) with the
 * glibc signatures, so their declarations are the ones of <sys/epoll.h>:
 * a program needs no change and no link flag to run under repoll.
 *
 * This header adds the repoll extension, declared weak in the manner of
 * heaptrack's heaptrack_api.h: the same binary runs with and without the
 * library. Without repoll the weak symbol resolves to NULL, so test it before
 * calling it:
 *
 *     #include <repoll/epoll.h>
 *
 *     if (repoll_version)
 *         printf("%s\n", repoll_version());
 *
 * or use repoll_active() below. Installed as PREFIX/include/repoll/epoll.h
 * by `make install`.
 *
 * The weak reference is resolved by the dynamic loader when the program
 * starts, so LD_PRELOAD (or the repoll launcher) is enough; checked with
 * gcc and g++ and GNU ld, for PIE and -no-pie executables.
 */
#ifndef REPOLL_EPOLL_H
#define REPOLL_EPOLL_H

#include <sys/epoll.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "repoll X.Y.Z" while librepoll.so is loaded (a static string, never NULL);
 * the symbol itself is NULL when the library is absent. */
const char *repoll_version(void) __attribute__((weak));

/* 1 when the epoll functions this program calls are repoll's, 0 when they
 * are the kernel's. */
static inline int repoll_active(void)
{
    return repoll_version != 0;
}

#ifdef __cplusplus
}
#endif

#endif /* REPOLL_EPOLL_H */
