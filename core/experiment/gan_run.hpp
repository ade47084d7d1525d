#pragma once
// A GAN run of an experiment config with task = gan: the GAN of core/gan/gan.hpp (seed 002
// Fig. 4G-I) on the config's dataset, its generator's and discriminator's matrices from the
// config's scheme and tile (full precision, MCA on PCM, ...), the config's optimizer, learning
// rate schedule, seed and device time per training image. After each epoch, the Fréchet distance
// between gan.fd_samples generated images (the same noise every epoch) and the test images, on
// the features of the fixed classifier of core/gan/feature_classifier.hpp. `train --json`
// prints gan_summary_json (docs/cli.md). state() and GanRun(state, data) save and continue a run
// at any step boundary (sessions: docs/session-format.md).
#include "core/dataset/dataset.hpp"
#include "core/experiment/config.hpp"
#include "core/experiment/state.hpp"
#include "core/gan/feature_classifier.hpp"
#include "core/gan/frechet_distance.hpp"
#include "core/gan/gan.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cbl {

struct GanEpoch {
    int epoch = 0;                 ///< 1-based
    double discriminator_loss = 0; ///< mean L_D over the epoch's steps [nats]
    double generator_loss = 0;     ///< mean L_G over the epoch's steps [nats]
    double frechet_distance = 0;   ///< on the classifier's features [feature units^2]
    double learning_rate = 0;
    std::vector<std::uint64_t> device_updates; ///< per weight layer (G's, then D's): pulses
    /// Per weight layer (G's, then D's): weights a full-precision update would have changed,
    /// nnz(delta) x nnz(x) per sample (0 for epochs saved by builds before 2026-12-04).
    std::vector<std::uint64_t> fp_equivalent_updates;
    double wall_seconds = 0; ///< training time of the epoch (FD excluded) [s]
    /// The first GanRun::grid_images of the images whose FD was measured (one per column,
    /// pixels row by row, 0..1): what the generator drew at the epoch's end. Shared, so the
    /// snapshots that carry it copy no pixels.
    std::shared_ptr<const Eigen::MatrixXf> samples;
};

class GanRun {
  public:
    /// Generated images a view shows per epoch (a 6 x 6 grid).
    static constexpr int grid_images = 36;

    /// Where state() keeps the finished epochs (one row each in every array below it).
    static constexpr const char* history_prefix = "gan/history/";
    /// The history array (below history_prefix) that sessions of earlier builds lack.
    static constexpr const char* fp_equivalent_name = "fp_equivalent_updates";

    /// Validates the config (task must be gan; images of the data must fit the generator) and
    /// builds the GAN; nothing is trained yet.
    GanRun(const ExperimentConfig& config, std::shared_ptr<const DataSplit> data);
    /// Continues a saved run (state() of an earlier GanRun, e.g. from load_session) on the same
    /// data: it trains on exactly as if it had never stopped. InputError names what does not fit.
    GanRun(const ExperimentState& state, std::shared_ptr<const DataSplit> data);

    const ExperimentConfig& config() const { return config_; }
    const DataSplit& data() const { return *data_; }
    const gan::Gan<float>& gan() const { return *gan_; }
    /// Alternating steps per epoch: training images / gan.batch_size (a partial batch is left).
    int steps_per_epoch() const;
    int epochs_done() const { return static_cast<int>(history_.size()); }
    /// Steps done in the current epoch.
    int position() const { return position_; }
    bool finished() const { return epochs_done() >= config_.training.epochs; }
    /// Sets training.epochs to the epochs done plus `more` (train --resume --epochs N): the run
    /// then ends as one set to that many epochs from its start.
    void extend(int more);
    /// Up to `steps` alternating steps, never past the epoch's end; at the end of an epoch its
    /// Fréchet distance is measured and the weights are checked (Diverged when not finite).
    /// Returns the steps done.
    int train(int steps);
    /// Images per alternating step (gan.batch_size real ones; as many fakes).
    int batch_size() const { return config_.gan.batch_size; }
    const std::vector<GanEpoch>& history() const { return history_; }
    /// Images generated from the FD noise (the first `count`), as the last epoch left G.
    Eigen::MatrixXf samples(int count) const;
    /// The feature classifier (trained or loaded at the first epoch's end).
    const gan::FeatureClassifier* classifier() const {
        return classifier_ ? &*classifier_ : nullptr;
    }
    /// Real training images the GAN has learnt from (B per step).
    std::uint64_t images_trained() const;
    /// images_trained() of the saved run it continues (0 for a fresh run).
    std::uint64_t resumed_at_images() const { return resumed_at_images_; }
    /// Programming pulses (SET + RESET) per weight layer, G's then D's, whole run.
    std::vector<std::uint64_t> device_updates() const;
    /// The run between two steps as a session stores it: the config, step (real images) and
    /// position (real images into the epoch), both networks and counters (Gan::save_state), the
    /// epoch's running sums and every finished epoch under history_prefix; no /history rows.
    /// The feature classifier is not part of it (cached on disk). Diverged when a weight is no
    /// longer finite.
    ExperimentState state() const;

  private:
    /// The epoch's order of the training images, keyed by (seed, epoch).
    void shuffle();
    void end_epoch();
    /// The classifier of the data and the Gaussian of the test images' features.
    void load_classifier();
    /// Diverged naming the layer when a weight of G or D is not finite.
    void check_finite() const;
    void save_history(StateArrays& out) const;
    void load_history(const StateArrays& in);

    ExperimentConfig config_;
    std::shared_ptr<const DataSplit> data_;
    std::unique_ptr<gan::Gan<float>> gan_;
    std::vector<int> order_;
    int position_ = 0;
    double d_loss_sum_ = 0, g_loss_sum_ = 0, epoch_wall_s_ = 0;
    std::vector<std::uint64_t> pulses_seen_;
    std::vector<GanEpoch> history_;
    std::uint64_t resumed_at_images_ = 0;
    std::optional<gan::FeatureClassifier> classifier_;
    gan::Gaussian real_features_;
};

/// {preset, task: "gan", dataset, generator_layers, discriminator_layers, epochs,
///  frechet_distance [per epoch], discriminator_loss [per epoch], generator_loss [per epoch],
///  device_updates [per epoch, per layer], feature_classifier {architecture, test_accuracy,
///  cache_file}, images_trained, wall_seconds, images_per_second (real training images per
///  second of the images trained since this GanRun started, FD included), diverged (+
///  divergence)}.
nlohmann::json gan_summary_json(const GanRun& run, double wall_seconds,
                                const std::string& divergence = "");

} // namespace cbl
