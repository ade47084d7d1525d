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

} // namespace cbl
