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
// The run's own state arrays beside the GAN's (Gan::save_state).
constexpr const char* loss_sums_name = "gan/loss_sums";
constexpr const char* epoch_wall_name = "gan/epoch_wall_seconds";
constexpr const char* pulses_seen_name = "gan/pulses_seen";

/// Images per epoch in the sample grid, and their size.
std::pair<std::size_t, std::size_t> grid_shape(const ExperimentConfig& c, const DataSplit& d) {
    return {std::size_t(std::min(GanRun::grid_images, c.gan.fd_samples)),
            std::size_t(d.train.features())};
}

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

GanRun::GanRun(const ExperimentState& state, std::shared_ptr<const DataSplit> data)
    : GanRun(state.config.get<ExperimentConfig>(), std::move(data)) {
    const StateArrays& in = state.arrays;
    gan_->load_state(in);
    const auto& sums = get_array<double>(in, loss_sums_name, 2);
    d_loss_sum_ = sums[0];
    g_loss_sum_ = sums[1];
    epoch_wall_s_ = get_array<double>(in, epoch_wall_name, 1)[0];
    pulses_seen_ = get_array<std::uint64_t>(in, pulses_seen_name, pulses_seen_.size());
    load_history(in);
    // Earlier builds never took the layers' full-precision counts: theirs add up the whole run.
    // Dropped, so the next epoch counts itself (from the load, if saved mid-epoch).
    if (!in.contains(std::string(history_prefix) + fp_equivalent_name))
        for (Network<float>* net : {&gan_->generator(), &gan_->discriminator()})
            net->take_fp_equivalent_updates();
    const int b = batch_size(), steps = steps_per_epoch();
    if (state.step != images_trained())
        throw InputError("session state: step = " + std::to_string(state.step) +
                         " real images, expected gan/counters[0] x gan.batch_size = " +
                         std::to_string(images_trained()));
    if (state.position < 0 || state.position % b != 0 || state.position >= steps * b)
        throw InputError("session state: position = " + std::to_string(state.position) +
                         " real images, expected a multiple of gan.batch_size = " +
                         std::to_string(b) + " below an epoch's " + std::to_string(steps * b));
    position_ = state.position / b;
    // Other data would give epochs of another length (and other images): refused, not mixed.
    const std::uint64_t expected =
        std::uint64_t(epochs_done()) * std::uint64_t(steps) + std::uint64_t(position_);
    if (gan_->steps() != expected)
        throw InputError("session state: gan/counters[0] = " + std::to_string(gan_->steps()) +
                         " alternating steps, but " + std::to_string(epochs_done()) +
                         " epochs of " + std::to_string(steps) + " steps on " + data_->description +
                         " and " + std::to_string(position_) + " more make " +
                         std::to_string(expected) + "; was the session trained on other data?");
    if (position_ > 0) shuffle();
    if (!history_.empty()) load_classifier();
    resumed_at_images_ = images_trained();
}

void GanRun::extend(int more) {
    ExperimentConfig c = config_;
    c.training.epochs = epochs_done() + more;
    c.validate();
    config_ = std::move(c);
}

int GanRun::steps_per_epoch() const {
    return data_->train.size() / config_.gan.batch_size;
}

void GanRun::shuffle() {
    // Fisher-Yates keyed by (seed, epoch), as Experiment shuffles.
    order_.resize(data_->train.size());
    std::iota(order_.begin(), order_.end(), 0);
    const CounterRng rng(config_.training.seed, RngStream::shuffle);
    const auto epoch = static_cast<std::uint64_t>(epochs_done());
    for (int i = static_cast<int>(order_.size()) - 1; i > 0; --i)
        std::swap(order_[i], order_[rng.block(epoch, static_cast<std::uint32_t>(i))[0] %
                                    static_cast<std::uint32_t>(i + 1)]);
}

int GanRun::train(int steps) {
    if (finished()) return 0;
    if (position_ == 0) {
        shuffle();
        d_loss_sum_ = g_loss_sum_ = epoch_wall_s_ = 0;
    }
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
    for (Network<float>* net : {&gan_->generator(), &gan_->discriminator()})
        for (const std::uint64_t n : net->take_fp_equivalent_updates())
            m.fp_equivalent_updates.push_back(n);
    position_ = 0;
    // Non-finite weights stop the run before an FD of NaNs is reported.
    check_finite();
    if (!classifier_) load_classifier();
    const Eigen::MatrixXf fake = gan_->generate(gan_->noise(fd_draw, config_.gan.fd_samples),
                                                fd_key + std::uint64_t(m.epoch));
    m.frechet_distance =
        gan::frechet_distance(gan::fit_gaussian(classifier_->features(fake)), real_features_);
    m.samples = std::make_shared<const Eigen::MatrixXf>(
        fake.leftCols(std::min<Eigen::Index>(grid_images, fake.cols())));
    history_.push_back(std::move(m));
}

void GanRun::load_classifier() {
    classifier_ = gan::FeatureClassifier::for_data(*data_);
    real_features_ = gan::fit_gaussian(classifier_->features(data_->test.images));
}

void GanRun::check_finite() const {
    for (const Network<float>* net : {&gan_->generator(), &gan_->discriminator()})
        for (int k = 0; k < net->weight_count(); ++k)
            if (!net->weight_layer(k).weights().allFinite())
                throw Diverged(
                    "training diverged in epoch " + std::to_string(epochs_done() + 1) + ": the " +
                    (net == &gan_->generator() ? "generator" : "discriminator") + "'s layer " +
                    std::to_string(k) +
                    " weights are not finite; likely cause: " + likely_cause(config_, "loss"));
}

ExperimentState GanRun::state() const {
    // A state holding NaN or inf is never saved.
    check_finite();
    ExperimentState st;
    st.config = config_;
    st.step = images_trained();
    st.position = position_ * batch_size();
    gan_->save_state(st.arrays);
    put_array(st.arrays, loss_sums_name, std::vector<double>{d_loss_sum_, g_loss_sum_}, {2},
              "nats");
    put_array(st.arrays, epoch_wall_name, std::vector<double>{epoch_wall_s_}, {1}, "s");
    put_array(st.arrays, pulses_seen_name, pulses_seen_, {pulses_seen_.size()}, "pulses");
    save_history(st.arrays);
    return st;
}

void GanRun::save_history(StateArrays& out) const {
    std::vector<double> fd, d_loss, g_loss, rate, wall;
    std::vector<std::uint64_t> updates, fp_updates;
    std::vector<float> samples;
    for (const GanEpoch& m : history_) {
        fd.push_back(m.frechet_distance);
        d_loss.push_back(m.discriminator_loss);
        g_loss.push_back(m.generator_loss);
        rate.push_back(m.learning_rate);
        wall.push_back(m.wall_seconds);
        updates.insert(updates.end(), m.device_updates.begin(), m.device_updates.end());
        fp_updates.insert(fp_updates.end(), m.fp_equivalent_updates.begin(),
                          m.fp_equivalent_updates.end());
        samples.insert(samples.end(), m.samples->data(), m.samples->data() + m.samples->size());
    }
    const std::size_t epochs = history_.size();
    const auto [grid, pixels] = grid_shape(config_, *data_);
    const std::string p = history_prefix;
    put_array(out, p + "frechet_distance", fd, {epochs});
    put_array(out, p + "discriminator_loss", d_loss, {epochs}, "nats");
    put_array(out, p + "generator_loss", g_loss, {epochs}, "nats");
    put_array(out, p + "learning_rate", rate, {epochs});
    put_array(out, p + "wall_seconds", wall, {epochs}, "s");
    put_array(out, p + "device_updates", updates, {epochs, pulses_seen_.size()}, "pulses");
    put_array(out, p + fp_equivalent_name, fp_updates, {epochs, pulses_seen_.size()}, "weights");
    // Image j of an epoch is column j of its grid: pixels contiguous, row by row.
    put_array(out, p + "samples", samples, {epochs, grid, pixels}, "fraction");
}

void GanRun::load_history(const StateArrays& in) {
    const std::string p = history_prefix;
    const auto& fd = get_array<double>(in, p + "frechet_distance");
    const std::size_t epochs = fd.size(), layers = pulses_seen_.size();
    const auto [grid, pixels] = grid_shape(config_, *data_);
    const auto& d_loss = get_array<double>(in, p + "discriminator_loss", epochs);
    const auto& g_loss = get_array<double>(in, p + "generator_loss", epochs);
    const auto& rate = get_array<double>(in, p + "learning_rate", epochs);
    const auto& wall = get_array<double>(in, p + "wall_seconds", epochs);
    const auto& updates = get_array<std::uint64_t>(in, p + "device_updates", epochs * layers);
    const auto& samples = get_array<float>(in, p + "samples", epochs * grid * pixels);
    // Sessions of earlier builds kept no full-precision counts: zeros, which the views skip.
    const std::vector<std::uint64_t> fp_updates =
        in.contains(p + fp_equivalent_name)
            ? get_array<std::uint64_t>(in, p + fp_equivalent_name, epochs * layers)
            : std::vector<std::uint64_t>(epochs * layers);
    history_.resize(epochs);
    for (std::size_t e = 0; e < epochs; ++e) {
        GanEpoch& m = history_[e];
        m.epoch = int(e) + 1;
        m.frechet_distance = fd[e];
        m.discriminator_loss = d_loss[e];
        m.generator_loss = g_loss[e];
        m.learning_rate = rate[e];
        m.wall_seconds = wall[e];
        m.device_updates.assign(updates.begin() + std::ptrdiff_t(e * layers),
                                updates.begin() + std::ptrdiff_t((e + 1) * layers));
        m.fp_equivalent_updates.assign(fp_updates.begin() + std::ptrdiff_t(e * layers),
                                       fp_updates.begin() + std::ptrdiff_t((e + 1) * layers));
        m.samples = std::make_shared<const Eigen::MatrixXf>(Eigen::Map<const Eigen::MatrixXf>(
            samples.data() + e * grid * pixels, Eigen::Index(pixels), Eigen::Index(grid)));
    }
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
                            "device_updates", "fp_equivalent_updates", "learning_rate"})
        j[key] = nlohmann::json::array();
    for (const GanEpoch& m : run.history()) {
        j["frechet_distance"].push_back(m.frechet_distance);
        j["discriminator_loss"].push_back(m.discriminator_loss);
        j["generator_loss"].push_back(m.generator_loss);
        j["device_updates"].push_back(m.device_updates);
        j["fp_equivalent_updates"].push_back(m.fp_equivalent_updates);
        j["learning_rate"].push_back(m.learning_rate);
    }
    if (const gan::FeatureClassifier* c = run.classifier())
        j["feature_classifier"] = {{"architecture", gan::FeatureClassifier::architecture},
                                   {"test_accuracy", c->test_accuracy()},
                                   {"cache_file", c->cache_file()}};
    j["images_trained"] = run.images_trained();
    j["wall_seconds"] = wall_seconds;
    j["images_per_second"] =
        wall_seconds > 0 ? double(run.images_trained() - run.resumed_at_images()) / wall_seconds
                         : 0.0;
    j["diverged"] = !divergence.empty();
    if (!divergence.empty()) j["divergence"] = divergence;
    return j;
}

} // namespace cbl
