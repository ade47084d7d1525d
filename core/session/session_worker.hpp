#pragma once
// One background thread for session files (saves, autosaves, loads), so that neither training
// nor the GUI waits for the disk. Jobs run one at a time in the order given, so two saves of the
// same file never race, and the thread is joined when the worker ends: no save outlives it.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace cbl {

class SessionWorker {
  public:
    SessionWorker();
    /// Finishes the queued jobs, then joins the thread.
    ~SessionWorker();
    SessionWorker(const SessionWorker&) = delete;
    SessionWorker& operator=(const SessionWorker&) = delete;

    /// Queues `job`; it must not throw (it reports its own failure).
    void submit(std::function<void()> job);
    /// Blocks until every job queued so far has finished.
    void wait_idle();

  private:
    void loop();

    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable idle_;
    std::deque<std::function<void()>> jobs_;
    bool busy_ = false;
    bool quit_ = false;
    std::thread thread_;
};

/// Hands the free pages of every allocator arena back to the system. A save's state copy is
/// taken on the engine thread and freed on the worker's, in pieces below the mmap threshold
/// that stay in the engine's arena, as do the pages the GUI's snapshots leave free between
/// them: without this the resident size creeps with every autosave (issue 20's soak: +11 MB in
/// 8 minutes). It locks each arena in turn for a few milliseconds, so call it on the thread that
/// must not wait for it (the GUI's, after a save): on the worker, at its lower priority, it was
/// preempted holding an arena and the GUI thread's next malloc waited ~100 ms.
void release_freed_memory();

} // namespace cbl
