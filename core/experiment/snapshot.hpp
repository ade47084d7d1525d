#pragma once
// An immutable picture of an experiment, published by the engine thread for the views
// (ARCHITECTURE.md: views read the newest snapshot; they never touch the experiment).
#include "core/energy/ledger.hpp"
#include "core/experiment/config.hpp"
#include "core/experiment/metrics.hpp"
#include "core/training/layer_picture.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cbl {

/// A pinned synapse's conductances over simulated time (seed 002 Fig. 3B).
struct SynapseTrace {
    int layer = 0, row = 0, col = 0;
    std::vector<double> t_s;        ///< device clock [s]
    std::vector<double> g_plus_uS;  ///< [uS]
    std::vector<double> g_minus_uS; ///< [uS] (empty for single-device mapping)
    std::vector<double> weight;     ///< W [weight units]
};

/// Test accuracy of the trained array at times after training (seed 002 Fig. 3E).
struct DriftCurve {
    std::vector<double> times_s;                   ///< time after training [s]
    std::vector<double> test_accuracy;             ///< fraction, no compensation
    std::vector<double> test_accuracy_compensated; ///< fraction, global drift compensation
};

/// A deep-RL run (task = rl: seed 000's DQN, core/experiment/rl_run.hpp) between two steps: what
/// the environment view, the reward chart and the Q-value bars draw.
struct RlPicture {
    std::string environment;   ///< rl.env: cartpole, mountaincar or acrobot
    std::vector<double> state; ///< Environment::state(): positions, angles, velocities (SI)
    int action_count = 0;
    int episode_steps = 0;               ///< steps of the episode under way (0 between episodes)
    double episode_reward = 0;           ///< its reward so far
    std::vector<double> episode_rewards; ///< every finished episode, in order
    double mean_reward_100 = 0;          ///< of the last 100 finished episodes
    double stop_reward = 0;      ///< rl.stop_at_mean_reward (0 = the whole budget is played)
    int episode_budget = 0;      ///< rl.episodes
    std::vector<float> q_values; ///< online network on the current state, one per action
    /// RlRun::episode_updates(): pulses and full-precision changes per episode and layer
    std::vector<EpochMetrics> episode_updates;
    std::uint64_t environment_steps = 0;
    std::uint64_t learning_steps = 0;
};

/// A GAN run (task = gan: seed 002 Fig. 4G-I, core/experiment/gan_run.hpp) between two steps:
/// what the GAN view draws. Images are columns of pixels, row by row, in 0..1.
struct GanPicture {
    int image_height = 0, image_width = 0; ///< pixels of one image
    /// GanRun::grid_images generated from the fixed noise of the Fréchet distance by the
    /// generator as it is now (refreshed about once a second while training).
    std::shared_ptr<const Eigen::MatrixXf> samples;
    /// The same noise's images at the end of each finished epoch (GanEpoch::samples).
    std::vector<std::shared_ptr<const Eigen::MatrixXf>> epoch_samples;
    std::vector<double> frechet_distance;   ///< per finished epoch [feature units^2]
    std::vector<double> discriminator_loss; ///< per finished epoch, mean L_D [nats]
    std::vector<double> generator_loss;     ///< per finished epoch, mean L_G [nats]
    /// The FD's feature classifier: its test accuracy (0..1) and architecture, known from the
    /// first epoch's end.
    double classifier_accuracy = 0;
    std::string classifier;
    int generator_layers = 0; ///< weight layers of the generator; Snapshot::layers lists them
                              ///< first, then the discriminator's
    /// Per finished epoch and weight layer (G's, then D's): pulses and full-precision changes
    /// (the sparsity view's counts; the rest of each entry is unused).
    std::vector<EpochMetrics> epoch_updates;
};

struct Snapshot {
    std::uint64_t version = 0; ///< increases with every publication
    ExperimentConfig config;
    std::string dataset; ///< data description
    std::vector<EpochMetrics> history;
    std::vector<Event> events;
    int epochs_done = 0;
    int epochs_total = 0;
    int position = 0; ///< images done in the current epoch
    int epoch_size = 0;
    std::uint64_t step = 0;       ///< training images done in all
    double simulated_time_s = 0;  ///< device clock [s]
    double images_per_second = 0; ///< recent simulator throughput
    double eta_s = 0;             ///< wall-clock estimate to the last epoch [s]
    double running_accuracy = 0;  ///< this epoch so far, fraction
    double running_loss = 0;      ///< [nats]
    bool running = false;
    bool finished = false;
    std::string error; ///< last command's failure, shown to the user
    /// What the engine is loading or building right now ("" when idle): a new experiment's data
    /// and devices take seconds, during which the rest of the snapshot is the previous run's.
    std::string loading;
    std::string divergence; ///< Experiment::divergence(): why training diverged, "" if it did not
    std::vector<LayerPicture> layers;
    std::vector<SynapseTrace> traces;
    DriftCurve drift;    ///< last requested evaluation (empty until asked)
    EnergyReport energy; ///< energy and latency of the training so far (core/energy)
    /// Set for a deep-RL run, whose progress is counted in episodes (epochs_done / epochs_total)
    /// and environment steps (step, position within the episode); no dataset, no history.
    std::optional<RlPicture> rl;
    /// Set for a GAN run: epochs as for a supervised run, images are real training images
    /// (gan.batch_size per alternating step); no accuracy history.
    std::optional<GanPicture> gan;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

} // namespace cbl
