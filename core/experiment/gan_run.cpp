#include "core/experiment/gan_run.hpp"

#include "core/common/param_error.hpp"
#include "core/common/rng.hpp"
#include "core/experiment/divergence.hpp"
#include "core/training/scheme_factory.hpp"

#include <algorithm>
#include <chrono>
#include <numeric>

namespace cbl {
namespace {

// The noise of the FD images: one fixed draw, apart from the training draws (2 t, 2 t + 1).
constexpr std::uint64_t fd_draw = ~0ull;
// Inference keys of the FD images' reads, one per epoch.
constexpr std::uint64_t fd_key = 1ull << 53;

} // namespace

GanRun::GanRun(const ExperimentConfig& config, std::shared_ptr<const DataSplit> data)
    : config_(config), data_(std::move(data)) {
    config_.validate();
    if (config_.task != "gan")
        throw InputError("task = " + config_.task + ": a GAN run needs task = gan");
    if (data_->train.size() < config_.gan.batch_size)
        throw InputError("gan.batch_size = " + std::to_string(config_.gan.batch_size) +
                         " is more than the " + std::to_string(data_->train.size()) +
                         " training images of " + data_->name);
    const int image = data_->train.features();
    const auto& t = config_.training;
    gan_ = std::make_unique<gan::Gan<float>>(
        config_.gan, image, t.optimizer,
        make_layers<float>(gan::weight_shapes(config_.gan, image), config_.scheme, config_.tile,
                           t.seed, t.seconds_per_image),
        t.seed);
    pulses_seen_ = device_updates();
}

int GanRun::steps_per_epoch() const {
    return data_->train.size() / config_.gan.batch_size;
}

void GanRun::start_epoch() {
    // Fisher-Yates keyed by (seed, epoch), as Experiment shuffles.
    order_.resize(data_->train.size());
    std::iota(order_.begin(), order_.end(), 0);
    const CounterRng rng(config_.training.seed, RngStream::shuffle);
    const auto epoch = static_cast<std::uint64_t>(epochs_done());
    for (int i = static_cast<int>(order_.size()) - 1; i > 0; --i)
        std::swap(order_[i], order_[rng.block(epoch, static_cast<std::uint32_t>(i))[0] %
                                    static_cast<std::uint32_t>(i + 1)]);
    d_loss_sum_ = g_loss_sum_ = epoch_wall_s_ = 0;
}

int GanRun::train(int steps) {
    if (finished()) return 0;
    if (position_ == 0) start_epoch();
    const auto t0 = std::chrono::steady_clock::now();
    const int b = config_.gan.batch_size;
    const double lr = config_.training.optimizer.rate_at_epoch(epochs_done());
    Eigen::MatrixXf real(data_->train.features(), b);
    int done = 0;
    for (; done < steps && position_ < steps_per_epoch(); ++done, ++position_) {
        for (int j = 0; j < b; ++j)
            real.col(j) = data_->train.images.col(order_[std::size_t(position_) * b + j]);
        const gan::StepLosses l = gan_->train_step(real, lr);
        d_loss_sum_ += l.discriminator;
        g_loss_sum_ += l.generator;
    }
    epoch_wall_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (position_ == steps_per_epoch()) end_epoch();
    return done;
}

Eigen::MatrixXf GanRun::samples(int count) const {
    return gan_->generate(gan_->noise(fd_draw, count), fd_key + std::uint64_t(epochs_done()));
}

void GanRun::end_epoch() {
    GanEpoch m;
    m.epoch = epochs_done() + 1;
    const int steps = std::max(1, position_);
    m.discriminator_loss = d_loss_sum_ / steps;
    m.generator_loss = g_loss_sum_ / steps;
    m.learning_rate = config_.training.optimizer.rate_at_epoch(epochs_done());
    m.wall_seconds = epoch_wall_s_;
    const std::vector<std::uint64_t> pulses = device_updates();
    for (std::size_t k = 0; k < pulses.size(); ++k)
        m.device_updates.push_back(pulses[k] - pulses_seen_[k]);
    pulses_seen_ = pulses;
    position_ = 0;
    // Non-finite weights stop the run before an FD of NaNs is reported.
    for (const Network<float>* net : {&gan_->generator(), &gan_->discriminator()})
        for (int k = 0; k < net->weight_count(); ++k)
            if (!net->weight_layer(k).weights().allFinite())
                throw Diverged(
                    "training diverged in epoch " + std::to_string(m.epoch) + ": the " +
                    (net == &gan_->generator() ? "generator" : "discriminator") + "'s layer " +
                    std::to_string(k) +
                    " weights are not finite; likely cause: " + likely_cause(config_, "loss"));
    if (!classifier_) {
        classifier_ = gan::FeatureClassifier::for_data(*data_);
        real_features_ = gan::fit_gaussian(classifier_->features(data_->test.images));
    }
    const Eigen::MatrixXf fake = gan_->generate(gan_->noise(fd_draw, config_.gan.fd_samples),
                                                fd_key + std::uint64_t(m.epoch));
    m.frechet_distance =
        gan::frechet_distance(gan::fit_gaussian(classifier_->features(fake)), real_features_);
    m.samples = std::make_shared<const Eigen::MatrixXf>(
        fake.leftCols(std::min<Eigen::Index>(grid_images, fake.cols())));
    history_.push_back(std::move(m));
}

std::uint64_t GanRun::images_trained() const {
    return gan_->steps() * std::uint64_t(config_.gan.batch_size);
}

std::vector<std::uint64_t> GanRun::device_updates() const {
    std::vector<std::uint64_t> out;
    for (const Network<float>* net : {&gan_->generator(), &gan_->discriminator()})
        for (const StageCounts& c : net->counts())
            out.push_back(c[Stage::update].set_pulses + c[Stage::update].reset_pulses);
    return out;
}

nlohmann::json gan_summary_json(const GanRun& run, double wall_seconds,
                                const std::string& divergence) {
    nlohmann::json j;
    const int image = run.data().train.features();
    j["preset"] = run.config().name;
    j["task"] = "gan";
    j["dataset"] = run.data().description;
    j["generator_layers"] = gan::generator_layers(run.config().gan, image);
    j["discriminator_layers"] = gan::discriminator_layers(run.config().gan, image);
    j["epochs"] = run.history().size();
    for (const char* key : {"frechet_distance", "discriminator_loss", "generator_loss",
                            "device_updates", "learning_rate"})
        j[key] = nlohmann::json::array();
    for (const GanEpoch& m : run.history()) {
        j["frechet_distance"].push_back(m.frechet_distance);
        j["discriminator_loss"].push_back(m.discriminator_loss);
        j["generator_loss"].push_back(m.generator_loss);
        j["device_updates"].push_back(m.device_updates);
        j["learning_rate"].push_back(m.learning_rate);
    }
    if (const gan::FeatureClassifier* c = run.classifier())
        j["feature_classifier"] = {{"architecture", gan::FeatureClassifier::architecture},
                                   {"test_accuracy", c->test_accuracy()},
                                   {"cache_file", c->cache_file()}};
    j["images_trained"] = run.images_trained();
    j["wall_seconds"] = wall_seconds;
    j["images_per_second"] = wall_seconds > 0 ? double(run.images_trained()) / wall_seconds : 0.0;
    j["diverged"] = !divergence.empty();
    if (!divergence.empty()) j["divergence"] = divergence;
    return j;
}

} // namespace cbl
