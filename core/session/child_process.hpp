#pragma once
// Running a risky read in a child process. HDF5 trusts a file's internal structure once its
// metadata checksums pass: a damaged group with dense link storage made the library itself crash
// (SIGSEGV in H5G__dense_iterate, found by tst_session_fuzz). No exception reaches us from such a
// crash, so a session is read once in a forked child first and only read for real if the child
// ended normally.
#include <chrono>
#include <functional>

namespace cbl {

/// How a child started by run_in_child() ended.
struct ChildEnd {
    enum class How { normally, crashed, timed_out };
    How how = How::normally;
    int signal = 0; ///< the signal that ended a crashed child (SIGSEGV, SIGABRT, ...)
};

/// Forks, calls `work` in the child (whatever it throws is ignored: only a crash matters) and
/// waits at most `limit` for it to exit; a child still running then is killed. `work` must not
/// need other threads of this process (the child has only the calling thread): plain file reads.
ChildEnd run_in_child(const std::function<void()>& work, std::chrono::milliseconds limit);

} // namespace cbl
