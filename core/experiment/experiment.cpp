#include "core/experiment/experiment.hpp"

#include "core/common/param_error.hpp"
#include "core/common/rng.hpp"
#include "core/training/scheme_factory.hpp"

#include <numeric>

namespace cbl {

Experiment::Experiment(const ExperimentConfig& config, std::shared_ptr<const DataSplit> data)
    : config_(config), data_(std::move(data)) {
    config_.validate();
    const int pixels = data_->train.features();
    if (pixels + 1 != config_.network.layers.front())
        throw InputError("network.layers[0] = " + std::to_string(config_.network.layers.front()) +
                         " but the dataset's images have " + std::to_string(pixels) +
                         " pixels (+1 bias = " + std::to_string(pixels + 1) + ")");
    if (config_.network.layers.back() < data_->train.classes)
        throw InputError("network.layers: the last layer has " +
                         std::to_string(config_.network.layers.back()) +
                         " outputs but the dataset has " + std::to_string(data_->train.classes) +
                         " classes");
    if (data_->train.size() == 0 || data_->test.size() == 0)
        throw InputError("dataset: training and test sets must not be empty");
    const Activation act = activation_from_string(config_.network.hidden_activation);
    const auto& t = config_.training;
    if (t.precision == "fp64")
        net64_ = std::make_unique<Mlp<double>>(act, make_layers<double>(config_), t.optimizer,
                                               t.batch_size);
    else
        net32_ = std::make_unique<Mlp<float>>(act, make_layers<float>(config_), t.optimizer,
                                              t.batch_size);
    start_epoch();
}

void Experiment::start_epoch() {
    // Fisher-Yates shuffle keyed by (seed, epoch): the order is a pure function of the seed.
    order_.resize(data_->train.size());
    std::iota(order_.begin(), order_.end(), 0);
    const CounterRng rng(config_.training.seed, RngStream::shuffle);
    const auto epoch = static_cast<std::uint64_t>(epochs_done());
    for (int i = static_cast<int>(order_.size()) - 1; i > 0; --i) {
        const auto j = static_cast<int>(rng.block(epoch, static_cast<std::uint32_t>(i))[0] %
                                        static_cast<std::uint32_t>(i + 1));
        std::swap(order_[i], order_[j]);
    }
    position_ = 0;
    correct_ = 0;
    loss_sum_ = 0;
    epoch_wall_s_ = 0;
}

int Experiment::train(int n) {
    if (finished() || n <= 0) return 0;
    const auto t0 = std::chrono::steady_clock::now();
    const int todo = std::min(n, epoch_size() - position_);
    const double lr = config_.training.optimizer.rate_at_epoch(epochs_done());
    with_net([&](auto& net) {
        for (int i = 0; i < todo; ++i) {
            const int sample = order_[position_];
            StepContext ctx{step_, nullptr};
            const SampleResult r =
                net.train_sample(data_->train.images.col(sample), data_->train.labels[sample], lr, ctx);
            correct_ += r.predicted == data_->train.labels[sample];
            loss_sum_ += r.loss;
            ++position_;
            ++step_;
            simulated_time_s_ += config_.training.seconds_per_image;
        }
    });
    epoch_wall_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (position_ == epoch_size()) end_epoch();
    return todo;
}

void Experiment::train_epoch() {
    while (!finished() && train(epoch_size() - position_) > 0) {
        if (position_ == 0) break;
    }
}

void Experiment::end_epoch() {
    const auto t0 = std::chrono::steady_clock::now();
    EpochMetrics m;
    m.epoch = epochs_done() + 1;
    m.images = position_;
    m.train_accuracy = running_accuracy();
    m.train_loss = running_loss();
    m.learning_rate = config_.training.optimizer.rate_at_epoch(epochs_done());
    with_net([&](auto& net) {
        StepContext ctx{step_, nullptr};
        net.flush_batch(m.learning_rate, ctx);
        m.counts = net.take_counts();
        m.fp_equivalent_updates = net.take_fp_equivalent_updates();
    });
    for (const StageCounts& c : m.counts) {
        m.device_updates.push_back(c[Stage::update].set_pulses + c[Stage::update].reset_pulses);
        m.refreshes += c[Stage::refresh].refreshed_pairs;
    }
    const EvalResult test = evaluate_test(static_cast<std::uint64_t>(m.epoch));
    m.test_accuracy = test.accuracy;
    m.test_loss = test.loss;
    m.simulated_time_s = simulated_time_s_;
    m.wall_seconds = epoch_wall_s_ +
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    history_.push_back(std::move(m));
    start_epoch();
}

EvalResult Experiment::evaluate_test(std::uint64_t eval_step) const {
    return with_net([&](const auto& net) {
        return net.evaluate(data_->test.images, data_->test.labels, eval_step);
    });
}

int Experiment::layer_count() const {
    return with_net([](const auto& net) { return net.layer_count(); });
}

Eigen::MatrixXf Experiment::weights(int k) const {
    return with_net([&](const auto& net) -> Eigen::MatrixXf {
        return net.layer(k).weights().template cast<float>();
    });
}

void Experiment::log_event(const std::string& what) {
    events_.push_back({step_, simulated_time_s_, what});
}

} // namespace cbl
