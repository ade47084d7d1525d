#include "core/session/child_process.hpp"

#include "core/common/param_error.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace cbl {

namespace {

/// Closes a descriptor once, whatever path leaves the function.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

/// Waits for `pid` to exit, retrying on signals delivered to this process.
int reap(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

} // namespace

ChildEnd run_in_child(const std::function<void()>& work, std::chrono::milliseconds limit) {
    // The child holds the pipe's write end until it exits, so the read end reports end-of-file
    // exactly when the child is gone, whether it returned or crashed: one poll() with a timeout.
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0)
        throw InputError(std::string("cannot create a pipe: ") + std::strerror(errno));
    Fd read_end{ends[0]}, write_end{ends[1]};
    const pid_t pid = ::fork();
    if (pid < 0) throw InputError(std::string("cannot start a process: ") + std::strerror(errno));
    if (pid == 0) {
        ::close(read_end.fd);
        try {
            work();
        } catch (...) {
        }
        // _exit: no atexit handlers, no flushing of the parent's copied stdio buffers.
        ::_exit(0);
    }
    ::close(write_end.fd);
    write_end.fd = -1;

    pollfd p{read_end.fd, POLLIN, 0};
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        const int ready = ::poll(&p, 1, static_cast<int>(std::max<long long>(0, left.count())));
        if (ready > 0) break; // end-of-file (POLLHUP): the child has exited
        if (ready == 0) {
            ::kill(pid, SIGKILL);
            reap(pid);
            return {ChildEnd::How::timed_out, SIGKILL};
        }
        if (errno != EINTR) {
            ::kill(pid, SIGKILL);
            reap(pid);
            throw InputError(std::string("cannot wait for a process: ") + std::strerror(errno));
        }
    }
    const int status = reap(pid);
    if (WIFSIGNALED(status)) return {ChildEnd::How::crashed, WTERMSIG(status)};
    // A sanitizer reports a finding by exiting non-zero instead of dying from a signal.
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0) return {ChildEnd::How::crashed, 0};
    return {};
}

} // namespace cbl
