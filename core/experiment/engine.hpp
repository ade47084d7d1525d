#pragma once
// The engine thread: owns the Experiment, applies commands at step boundaries and publishes
// snapshots at most ~20 times a second (ARCHITECTURE.md "Threading"). No Qt here: the GUI passes
// a publisher callback that posts a queued call to its own thread.
#include "core/experiment/experiment.hpp"
#include "core/experiment/snapshot.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace cbl {

/// The outcome of Engine::set_parameter: accepted, or refused with a one-line message.
struct ParameterVerdict {
    bool accepted = false;
    std::string message;
};

class Engine {
  public:
    Engine();
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    /// Called on the engine thread after a new snapshot is stored; keep it cheap.
    void set_publisher(std::function<void()> on_snapshot);

    /// Replaces the experiment (structural change = reset). Without `data` the dataset named by
    /// the config is loaded on the engine thread. Errors go to snapshot()->error.
    void load(const ExperimentConfig& config, std::shared_ptr<const DataSplit> data = nullptr);
    void play();
    void pause();
    void step_images(int n); ///< trains n images then pauses
    void step_epoch();       ///< trains to the end of the current epoch then pauses
    void reset();            ///< same config, fresh start
    /// Throttle for demos: 0 = as fast as possible, else images per second.
    void set_speed(double images_per_second);
    /// Changes one config field by dotted path (e.g. "training.optimizer.learning_rate").
    /// Hot parameters apply at the next step and are logged as events; structural ones are
    /// refused with a message (snapshot()->error) asking for a reset via load(). `on_verdict`
    /// is called on the engine thread with the outcome.
    void set_parameter(const std::string& path, const nlohmann::json& value,
                       std::function<void(const ParameterVerdict&)> on_verdict = {});
    /// Follows one synapse's conductances over time (snapshot()->traces).
    void pin_synapse(int layer, int row, int col);
    void unpin_all();
    /// Evaluates the test accuracy of the current array at times after training [s], with and
    /// without global drift compensation; the result appears in snapshot()->drift.
    void evaluate_drift(const std::vector<double>& times_s);
    /// Runs `f` on the engine thread between steps (e.g. a hot parameter change or a save).
    void post(std::function<void(Experiment&)> f);
    /// Blocks until every command queued so far has been handled (tests, save).
    void sync();

    SnapshotPtr snapshot() const;

  private:
    void loop();
    void publish(bool force);
    void command(std::function<void()> f);

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> commands_;
    bool quit_ = false;

    // Owned by the engine thread.
    std::unique_ptr<Experiment> experiment_;
    ExperimentConfig config_;
    std::shared_ptr<const DataSplit> data_;
    bool running_ = false;
    long long stop_after_ = -1; ///< images left in a step command, -1 = none
    bool stop_at_epoch_ = false;
    double speed_ = 0;
    double rate_ = 0;
    std::string error_;
    DriftCurve drift_;
    std::uint64_t version_ = 0;
    std::chrono::steady_clock::time_point last_publish_{};

    mutable std::mutex snapshot_mutex_;
    SnapshotPtr snapshot_;
    std::function<void()> publisher_;
    std::thread thread_;
};

} // namespace cbl
