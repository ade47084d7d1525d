#include "core/session/session_worker.hpp"

#include "core/common/thread_priority.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace cbl {

SessionWorker::SessionWorker() : thread_([this] { loop(); }) {
#if defined(__GLIBC__)
    // A save holds the state and the file image, tens of MB, on this thread for a moment. With
    // its default, glibc then raises its mmap and trim thresholds to those sizes and keeps the
    // freed top of this thread's arena resident for good: a step of ~25 MB at the first
    // autosave (issue 20's soak). The state copy is taken on the engine thread and freed here,
    // as the GUI frees the engine's snapshots: pieces left in the engine's arena kept pages
    // resident (+11 MB in 8 minutes of autosaves). Fixed thresholds send blocks of 256 KiB
    // and more (a 785 x 250 plane is 785 KB) straight to the system and back when freed, so
    // no arena grows with them, and nothing has to walk the arenas to hand pages back
    // (malloc_trim: 7-36 ms on the GUI thread after each save, and stalls over 50 ms when an
    // arena it waited for was held by a preempted thread). Training allocates a few blocks of
    // that size per step at most (a CNN's unrolled inputs).
    mallopt(M_MMAP_THRESHOLD, 1 << 18);
    mallopt(M_TRIM_THRESHOLD, 1 << 20);
#endif
}

SessionWorker::~SessionWorker() {
    {
        std::lock_guard lock(mutex_);
        quit_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void SessionWorker::submit(std::function<void()> job) {
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back(std::move(job));
    }
    wake_.notify_all();
}

void SessionWorker::wait_idle() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return jobs_.empty() && !busy_; });
}

void SessionWorker::loop() {
    // A save compresses tens of MB: the GUI does not wait for it (background_nice_increment).
    lower_this_thread_priority(background_nice_increment);
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return quit_ || !jobs_.empty(); });
        if (jobs_.empty()) return; // quit, with the queue done
        std::function<void()> job = std::move(jobs_.front());
        jobs_.pop_front();
        busy_ = true;
        lock.unlock();
        job();
        job = nullptr; // the save's captured state goes now, not with the next job
        lock.lock();
        busy_ = false;
        if (jobs_.empty()) idle_.notify_all();
    }
}

} // namespace cbl
