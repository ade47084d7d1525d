#pragma once
// One training run: data, network, device clock, metrics and the event timeline. Not
// thread-safe: the engine thread owns it (ARCHITECTURE.md, "one engine thread owns state").
#include "core/dataset/dataset.hpp"
#include "core/energy/ledger.hpp"
#include "core/experiment/config.hpp"
#include "core/experiment/metrics.hpp"
#include "core/experiment/snapshot.hpp"
#include "core/experiment/state.hpp"
#include "core/network/image_shape.hpp"
#include "core/network/network.hpp"

#include <chrono>
#include <memory>

namespace cbl {

/// The network a config describes for images of `image` and `classes` classes: exactly one of
/// net32 / net64 is set (training.precision). Experiment builds its network with it; session
/// validation builds a reference from it, whose state names every array a session must hold.
struct BuiltNetwork {
    std::vector<std::pair<int, int>> shapes; ///< weight matrices (rows, columns incl. bias)
    std::unique_ptr<Network<float>> net32;
    std::unique_ptr<Network<double>> net64;
};
BuiltNetwork build_network(const ExperimentConfig& config, ImageShape image, int classes);
/// The weight matrices (rows, columns incl. bias) of that network, without building it.
std::vector<std::pair<int, int>> network_shapes(const ExperimentConfig& config, ImageShape image,
                                                int classes);

class Experiment {
  public:
    Experiment(const ExperimentConfig& config, std::shared_ptr<const DataSplit> data);
    /// Continues a saved experiment exactly where state() left it.
    Experiment(const ExperimentState& state, std::shared_ptr<const DataSplit> data);

    /// Everything needed to continue bit-identically (sessions).
    ExperimentState state() const;

    const ExperimentConfig& config() const { return config_; }
    const DataSplit& data() const { return *data_; }
    int epochs_done() const { return static_cast<int>(history_.size()); }
    int position() const { return position_; } ///< images done in the current epoch
    int epoch_size() const { return data_->train.size(); }
    std::uint64_t step() const { return step_; } ///< training images done in all
    bool finished() const { return epochs_done() >= config_.training.epochs; }
    double simulated_time_s() const { return simulated_time_s_; }

    /// Trains up to n images, never past the end of the current epoch; at the epoch's last image
    /// evaluates the test set and appends to history(). Returns the images trained. A non-finite
    /// loss or state returns the experiment to its last good state and throws Diverged; so does
    /// every later call until a live parameter changes.
    int train(int n);
    /// Trains the rest of the current epoch.
    void train_epoch();

    /// "" while training is sound, else the one-line report (where, likely cause): a non-finite
    /// value stopped training, or the mean training loss stayed at or above chance for
    /// training.divergence_epochs epochs (front ends stop there; the experiment could go on).
    std::string divergence() const;
    /// state() after a check of every value: a non-finite one diverges instead (throws Diverged,
    /// back at the last good state), so nothing corrupt is saved.
    ExperimentState checked_state();

    const std::vector<EpochMetrics>& history() const { return history_; }
    const std::vector<Event>& events() const { return events_; }
    void log_event(const std::string& what);

    /// Running metrics of the epoch in progress.
    double running_accuracy() const { return position_ ? double(correct_) / position_ : 0.0; }
    double running_loss() const { return position_ ? loss_sum_ / position_ : 0.0; }

    /// Energy and latency of everything trained so far, including the epoch in progress
    /// (core/energy ledger with the config's technology preset).
    EnergyReport energy_report() const;

    /// Test-set evaluation of the current weights.
    EvalResult evaluate_test(std::uint64_t eval_step) const;
    /// Weight layers (the network's weight nodes in order; "layer k" everywhere in the lab).
    int layer_count() const;
    /// W of layer k as the network sees it (noise-free).
    Eigen::MatrixXf weights(int k) const;
    /// What the heatmaps of layer k show (conductances for crossbar layers).
    LayerPicture picture(int k) const;

    /// Changes one config field by dotted path. Hot fields apply now and are logged as events;
    /// structural ones throw InputError naming the field and asking for a reset.
    void set_parameter(const std::string& path, const nlohmann::json& value);
    /// Paths that may change while training runs.
    static bool is_hot(const std::string& path);

    void pin(int layer, int row, int col);
    void unpin_all();
    const std::vector<SynapseTrace>& traces() const { return traces_; }

    /// Test accuracy of copies of the current network aged by each time [s] (seed 002 Fig. 3E).
    DriftCurve drift_curve(const std::vector<double>& times_s) const;

  private:
    template <typename F>
    decltype(auto) with_net(F&& f) {
        return net32_ ? f(*net32_) : f(*net64_);
    }
    template <typename F>
    decltype(auto) with_net(F&& f) const {
        return net32_ ? f(*net32_) : f(*net64_);
    }
    void start_epoch();
    void end_epoch();
    void record_traces();
    /// Records `what` with its likely cause, returns to the last good state and throws Diverged.
    [[noreturn]] void diverge(const std::string& what, const std::string& cause);

    ExperimentConfig config_;
    std::shared_ptr<const DataSplit> data_;
    std::vector<std::pair<int, int>> shapes_; ///< weight matrices (rows, columns incl. bias)
    std::unique_ptr<Network<float>> net32_;
    std::unique_ptr<Network<double>> net64_;
    std::vector<int> order_; ///< this epoch's image order
    int position_ = 0;
    std::uint64_t step_ = 0;
    long long correct_ = 0;
    double loss_sum_ = 0;
    double simulated_time_s_ = 0;
    double epoch_wall_s_ = 0;
    std::vector<EpochMetrics> history_;
    std::vector<Event> events_;
    std::vector<SynapseTrace> traces_;
    std::shared_ptr<const TechnologyPreset> technology_;
    ExperimentState good_;   ///< the last state found finite (construction, each epoch's end)
    std::string divergence_; ///< the report of a non-finite value, "" while none was found
};

} // namespace cbl
