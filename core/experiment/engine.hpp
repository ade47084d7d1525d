#pragma once
// The engine thread: owns the Experiment, applies commands at step boundaries and publishes
// snapshots at most ~20 times a second (ARCHITECTURE.md "Threading"). No Qt here: the GUI passes
// a publisher callback that posts a queued call to its own thread.
#include "core/experiment/experiment.hpp"
#include "core/experiment/gan_run.hpp"
#include "core/experiment/rl_run.hpp"
#include "core/experiment/snapshot.hpp"

#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_scheduler_observer.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

namespace cbl {

/// The engine's answer to a command that may be refused: a parameter change, a new experiment.
struct ParameterVerdict {
    bool accepted = false;
    std::string message; ///< why it was refused, in the lab's words (empty when accepted)
};
/// Called on the engine thread; a GUI posts it on to its own thread.
using VerdictCallback = std::function<void(const ParameterVerdict&)>;

/// What a save needs, taken between two training steps; with `data`, Experiment(state, data)
/// is a copy of the engine's experiment that other threads may run (the Accelerator view).
struct CapturedState {
    ExperimentState state;
    std::string dataset;                   ///< the data's description (DataSplit::description)
    std::shared_ptr<const DataSplit> data; ///< immutable, shared with the engine
};

class Engine {
  public:
    /// `threads` = TBB threads of the engine's work (its arena, engine thread included); 0 = one
    /// per core but one, which stays free for the GUI thread. Results do not depend on it. Its
    /// threads run below the priority of the thread that made it (the GUI's), see
    /// core/common/thread_priority.hpp.
    explicit Engine(int threads = 0);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    /// Called on the engine thread after a new snapshot is stored; keep it cheap.
    void set_publisher(std::function<void()> on_snapshot);

    /// Replaces the experiment (structural change = reset); a config with task = rl makes a
    /// deep-RL run (RlRun), which needs no data, one with task = gan a GAN run (GanRun). Without
    /// `data` the dataset named by the config is loaded on the engine thread. A config that cannot
    /// build (or whose task the engine does not run) leaves the current experiment running; its
    /// message goes to the verdict and to snapshot()->error.
    void load(const ExperimentConfig& config, std::shared_ptr<const DataSplit> data = nullptr,
              VerdictCallback on_verdict = {});
    /// Replaces the experiment by one continuing `state` (a session), built once and owned by
    /// the engine; data as in load(). A refused state leaves the current experiment running.
    void restore(ExperimentState state, std::shared_ptr<const DataSplit> data = nullptr,
                 VerdictCallback on_verdict = {});
    /// Whether `config` builds an experiment (with the data it names), without replacing the
    /// running one.
    void check_config(const ExperimentConfig& config, VerdictCallback on_verdict);
    /// The state at the next step boundary (saves); a deep-RL run's after its episode, a GAN's
    /// after its alternating step. Holds an InputError without an experiment, Diverged for a
    /// state that is no longer finite; broken if the engine ends first.
    std::future<CapturedState> capture_state();
    void play();
    void pause();
    /// Trains n images (plays n environment steps; a GAN: the alternating steps of n real
    /// images, at least one) then pauses
    void step_images(int n);
    void step_epoch(); ///< trains to the end of the current epoch (episode) then pauses
    void reset();      ///< same config, fresh start
    /// Throttle for demos: 0 = as fast as possible, else images per second.
    void set_speed(double images_per_second);
    /// Changes one config field by dotted path (e.g. "training.optimizer.learning_rate").
    /// Hot parameters apply at the next step and are logged as events; structural ones are
    /// refused with a message asking for a reset via load(). The verdict says which; a refusal
    /// also shows in snapshot()->error.
    void set_parameter(const std::string& path, const nlohmann::json& value,
                       VerdictCallback on_verdict = {});
    /// Follows one synapse's conductances over time (snapshot()->traces).
    void pin_synapse(int layer, int row, int col);
    void unpin_all();
    /// Evaluates the test accuracy of the current array at times after training [s], with and
    /// without global drift compensation; the result appears in snapshot()->drift.
    void evaluate_drift(const std::vector<double>& times_s);
    /// Blocks until every command queued so far has been handled (tests, save).
    void sync();

    SnapshotPtr snapshot() const;

  private:
    void loop();
    void publish(bool force);
    void command(std::function<void()> f);
    /// Runs `f` on the current experiment between steps; its exception becomes the verdict.
    void on_experiment(std::function<void(Experiment&)> f, VerdictCallback on_verdict = {});
    /// The data `config` names: the loaded data when the dataset is the same.
    std::shared_ptr<const DataSplit> data_for(const ExperimentConfig& config);
    /// Installs what `build` makes (or keeps the current experiment if it throws): `build` gets
    /// the data (none for a deep-RL config) and adopts the run it builds.
    void install(const ExperimentConfig& config, std::shared_ptr<const DataSplit> data,
                 const std::function<void(std::shared_ptr<const DataSplit>)>& build,
                 const VerdictCallback& on_verdict);
    /// A fresh run of `config`: an Experiment, an RlRun for task = rl, a GanRun for task = gan.
    void build_fresh(const ExperimentConfig& config, std::shared_ptr<const DataSplit> data);
    void adopt(std::unique_ptr<Experiment> e);
    void adopt(std::unique_ptr<RlRun> r);
    void adopt(std::unique_ptr<GanRun> g);
    bool run_finished() const;
    /// Trains up to n images (or plays n environment steps), never past an epoch's (episode's)
    /// end; returns how many. A GAN run trains one alternating step (gan.batch_size images).
    int advance(int n);
    /// Epochs (episodes) finished.
    int boundaries_done() const;
    void publish_rl(Snapshot& s) const;
    void publish_gan(Snapshot& s);

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> commands_;
    bool quit_ = false;

    // Owned by the engine thread. At most one run: a supervised experiment, a deep-RL run (seed
    // 000's DQN) or a GAN (seed 002 Fig. 4G-I), which the same commands drive (for deep RL an
    // image step is an environment step, an epoch an episode).
    std::unique_ptr<Experiment> experiment_;
    std::unique_ptr<RlRun> rl_;
    std::unique_ptr<GanRun> gan_;
    /// The GAN's current samples (GanPicture::samples), drawn again when it has trained on and
    /// a second has passed: generating them reads the whole generator.
    std::shared_ptr<const Eigen::MatrixXf> gan_samples_;
    std::uint64_t gan_samples_images_ = 0;
    std::chrono::steady_clock::time_point gan_samples_at_{};
    ExperimentConfig config_;
    std::shared_ptr<const DataSplit> data_;
    bool running_ = false;
    long long stop_after_ = -1; ///< images left in a step command, -1 = none
    bool stop_at_epoch_ = false;
    double speed_ = 0;
    double rate_ = 0;
    std::string error_;
    std::string loading_; ///< Snapshot::loading
    DriftCurve drift_;
    std::uint64_t version_ = 0;
    std::chrono::steady_clock::time_point last_publish_{};

    mutable std::mutex snapshot_mutex_;
    SnapshotPtr snapshot_;
    std::function<void()> publisher_;
    tbb::task_arena arena_; ///< every parallel loop of the experiment runs in here
    /// Lowers the priority of every thread that works in `arena_` (thread_priority.hpp).
    std::unique_ptr<tbb::task_scheduler_observer> background_;
    std::thread thread_;
};

} // namespace cbl
