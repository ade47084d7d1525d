#include "core/common/thread_priority.hpp"

#if defined(__linux__)
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#endif

namespace cbl {

void lower_this_thread_priority(int increment) {
#if defined(__linux__)
    thread_local bool lowered = false;
    if (lowered) return;
    lowered = true;
    // On Linux a nice value belongs to a thread (its tid), not to the whole process.
    const auto tid = static_cast<id_t>(syscall(SYS_gettid));
    errno = 0;
    const int nice = getpriority(PRIO_PROCESS, tid);
    if (errno != 0) return;
    // A failure leaves the thread at its priority: slower GUI under load, nothing worse.
    (void)setpriority(PRIO_PROCESS, tid, std::min(19, nice + increment));
    // SCHED_BATCH keeps the nice value (it weighs the thread's share as before) and needs no
    // privilege; set after the nice value, which sched_setscheduler leaves as it is.
    const sched_param none{};
    (void)sched_setscheduler(static_cast<pid_t>(tid), SCHED_BATCH, &none);
#else
    (void)increment;
#endif
}

} // namespace cbl
