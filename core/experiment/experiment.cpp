#include "core/experiment/experiment.hpp"

#include "core/common/param_error.hpp"
#include "core/common/rng.hpp"
#include "core/config/schema.hpp"
#include "core/experiment/divergence.hpp"
#include "core/experiment/memory_estimate.hpp"
#include "core/experiment/text_sample.hpp"
#include "core/network/network_builder.hpp"
#include "core/training/device_layer.hpp"
#include "core/training/scheme_factory.hpp"

#include <cmath>
#include <numeric>
#include <optional>

namespace cbl {
namespace {

/// Where a run stands, for divergence reports: "after image 12 of epoch 3".
std::string place(int epochs_done, int position) {
    if (position > 0)
        return "after image " + std::to_string(position) + " of epoch " +
               std::to_string(epochs_done + 1);
    return epochs_done == 0 ? "at the start" : "at the end of epoch " + std::to_string(epochs_done);
}

} // namespace

std::vector<std::pair<int, int>> network_shapes(const ExperimentConfig& config, ImageShape image,
                                                int classes) {
    const auto& n = config.network;
    return n.graph.empty() ? weight_shapes(n.layers) : graph_weight_shapes(n.graph, image, classes);
}

BuiltNetwork build_network(const ExperimentConfig& config, ImageShape image, int classes) {
    const auto& t = config.training;
    const auto& n = config.network;
    const SchemeConfig& scheme = config.scheme;
    const TileConfig& tile = config.tile;
    BuiltNetwork b;
    b.shapes = network_shapes(config, image, classes);
    const auto& shapes = b.shapes;
    if (!n.graph.empty()) {
        if (t.precision == "fp64")
            b.net64 = std::make_unique<Network<double>>(build_graph<double>(
                n.graph, image, classes,
                make_layers<double>(shapes, scheme, tile, t.seed, t.seconds_per_image), t.optimizer,
                t.batch_size, t.seed));
        else
            b.net32 = std::make_unique<Network<float>>(build_graph<float>(
                n.graph, image, classes,
                make_layers<float>(shapes, scheme, tile, t.seed, t.seconds_per_image), t.optimizer,
                t.batch_size, t.seed));
    } else if (t.precision == "fp64")
        b.net64 = std::make_unique<Network<double>>(build_chain<double>(
            n.layers, n.hidden_activation,
            make_layers<double>(shapes, scheme, tile, t.seed, t.seconds_per_image), t.optimizer,
            t.batch_size));
    else
        b.net32 = std::make_unique<Network<float>>(build_chain<float>(
            n.layers, n.hidden_activation,
            make_layers<float>(shapes, scheme, tile, t.seed, t.seconds_per_image), t.optimizer,
            t.batch_size));
    return b;
}

Experiment::Experiment(const ExperimentConfig& config, std::shared_ptr<const DataSplit> data)
    : config_(config), data_(std::move(data)) {
    config_.validate();
    // Deep RL runs as an RlRun (core/experiment/rl_run), a GAN as a GanRun (gan_run).
    if (config_.task != "supervised")
        throw InputError("task = " + config_.task +
                         " is not a supervised experiment: deep RL (rl) runs as an RlRun, a GAN "
                         "(gan) as a GanRun, both with crossbarlab-cli train");
    const int pixels = data_->train.features();
    // A layer list checks its shapes against the images itself (graph_weight_shapes).
    const bool chain = config_.network.graph.empty();
    if (chain && pixels + 1 != config_.network.layers.front())
        throw InputError("network.layers[0] = " + std::to_string(config_.network.layers.front()) +
                         " but the dataset's images have " + std::to_string(pixels) +
                         " pixels (+1 bias = " + std::to_string(pixels + 1) + ")");
    if (chain && config_.network.layers.back() < data_->train.classes)
        throw InputError(
            "network.layers: the last layer has " + std::to_string(config_.network.layers.back()) +
            " outputs but the dataset has " + std::to_string(data_->train.classes) + " classes");
    if (data_->train.size() == 0 || data_->test.size() == 0)
        throw InputError("dataset: training and test sets must not be empty");
    technology_ = std::make_shared<const TechnologyPreset>(load_technology(config_.technology));
    const Dataset& d = data_->train;
    const ImageShape image{d.channels, d.height, d.width};
    require_memory(config_, network_shapes(config_, image, d.classes), *data_);
    BuiltNetwork built = build_network(config_, image, d.classes);
    shapes_ = std::move(built.shapes);
    net32_ = std::move(built.net32);
    net64_ = std::move(built.net64);
    start_epoch();
    good_ = state();
}

Experiment::Experiment(const ExperimentState& st, std::shared_ptr<const DataSplit> data)
    : Experiment(st.config.get<ExperimentConfig>(), std::move(data)) {
    history_ = st.history;
    events_ = st.events;
    step_ = st.step;
    simulated_time_s_ = st.simulated_time_s;
    // The last good state must be good: a session holding NaN or inf does not resume.
    if (const auto bad = first_non_finite(st.arrays))
        throw InputError("session state: " + bad->where() + " is not a finite number");
    start_epoch(); // the order of the saved epoch follows from (seed, epoch)
    if (st.position < 0 || st.position > epoch_size())
        throw InputError("session state: position " + std::to_string(st.position) +
                         " is outside the epoch of " + std::to_string(epoch_size()) + " images");
    position_ = st.position;
    correct_ = st.correct;
    loss_sum_ = st.loss_sum;
    with_net([&](auto& net) { net.load_state(st.arrays); });
    good_ = state();
}

ExperimentState Experiment::state() const {
    ExperimentState st;
    st.config = config_;
    st.step = step_;
    st.position = position_;
    st.correct = correct_;
    st.loss_sum = loss_sum_;
    st.simulated_time_s = simulated_time_s_;
    st.history = history_;
    st.events = events_;
    with_net([&](const auto& net) {
        st.in_batch = net.pending_in_batch();
        net.save_state(st.arrays);
    });
    return st;
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
    if (!divergence_.empty()) throw Diverged(divergence_);
    if (finished() || n <= 0) return 0;
    const auto t0 = std::chrono::steady_clock::now();
    const int todo = std::min(n, epoch_size() - position_);
    const double lr = config_.training.optimizer.rate_at_epoch(epochs_done());
    std::optional<double> bad_loss;
    with_net([&](auto& net) {
        for (int i = 0; i < todo; ++i) {
            const int sample = order_[position_];
            StepContext ctx{step_, nullptr};
            const SampleResult r = net.train_sample(data_->train.images.col(sample),
                                                    data_->train.labels[sample], lr, ctx);
            // One comparison per image: NaN or inf in the weights reach the loss within a step
            // or two, so most divergences stop here, at their image.
            if (!std::isfinite(r.loss)) {
                bad_loss = r.loss;
                break;
            }
            correct_ += r.predicted == data_->train.labels[sample];
            loss_sum_ += r.loss;
            ++position_;
            ++step_;
            simulated_time_s_ += config_.training.seconds_per_image;
            if (!traces_.empty()) record_traces();
        }
    });
    if (bad_loss)
        diverge("at image " + std::to_string(position_ + 1) + " of epoch " +
                    std::to_string(epochs_done() + 1) + ": the training loss is " +
                    value_text(*bad_loss),
                likely_cause(config_, "loss"));
    epoch_wall_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (position_ == epoch_size()) end_epoch();
    return todo;
}

ExperimentState Experiment::checked_state() {
    ExperimentState st = state();
    if (const auto bad = first_non_finite(st.arrays))
        diverge(place(epochs_done(), position_) + ": " + bad->where(),
                likely_cause(config_, bad->array, bad->unit));
    return st;
}

void Experiment::diverge(const std::string& what, const std::string& cause) {
    const std::string report =
        "training diverged " + what + "; likely cause: " + cause + "; the experiment is back " +
        place(int(good_.history.size()), good_.position) + ", its last good state";
    // Rebuilt from the last good state as a session is resumed; pinned synapses stay pinned.
    auto traces = std::move(traces_);
    *this = Experiment(good_, data_);
    traces_ = std::move(traces);
    divergence_ = report;
    throw Diverged(report);
}

std::string Experiment::divergence() const {
    return divergence_.empty() ? chance_divergence(config_, history_, data_->train.classes)
                               : divergence_;
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
    if (net32_) clear_epoch_pulses(*net32_);
    for (const StageCounts& c : m.counts) {
        m.device_updates.push_back(c[Stage::update].set_pulses + c[Stage::update].reset_pulses);
        m.refreshes += c[Stage::refresh].refreshed_pairs;
    }
    const EvalResult test = evaluate_test(static_cast<std::uint64_t>(m.epoch));
    m.test_accuracy = test.accuracy;
    m.test_loss = test.loss;
    if (data_->validation.size() > 0)
        m.validation_loss =
            with_net([&](const auto& net) {
                return net.evaluate(data_->validation.images, data_->validation.labels,
                                    (1ull << 32) + std::uint64_t(m.epoch));
            }).loss;
    if (!data_->vocabulary.empty() && data_->validation.size() > 0)
        m.sample_text = with_net([&](const auto& net) {
            return sample_characters(net, data_->vocabulary, data_->validation.images.col(0),
                                     sampled_characters, config_.training.seed, m.epoch);
        });
    m.simulated_time_s = simulated_time_s_;
    m.wall_seconds = epoch_wall_s_ +
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    history_.push_back(std::move(m));
    start_epoch();
    // Weights, conductances, chi and optimizer moments are checked once an epoch, not every
    // image: the check reads a copy of the whole state, which then serves as the last good state
    // to return to, so it costs one copy an epoch (the loss is checked at every image).
    ExperimentState st = checked_state();
    if (!std::isfinite(history_.back().test_loss))
        diverge(place(epochs_done(), position_) + ": the test loss is " +
                    value_text(history_.back().test_loss),
                likely_cause(config_, "test loss"));
    good_ = std::move(st);
}

EvalResult Experiment::evaluate_test(std::uint64_t eval_step) const {
    return with_net([&](const auto& net) {
        return net.evaluate(data_->test.images, data_->test.labels, eval_step);
    });
}

int Experiment::layer_count() const {
    return with_net([](const auto& net) { return net.weight_count(); });
}

Eigen::MatrixXf Experiment::weights(int k) const {
    return with_net([&](const auto& net) -> Eigen::MatrixXf {
        return net.weight_layer(k).weights().template cast<float>();
    });
}

void Experiment::log_event(const std::string& what) {
    events_.push_back({step_, simulated_time_s_, what});
}

} // namespace cbl

namespace cbl {

EnergyReport Experiment::energy_report() const {
    double synapses = 0;
    for (const auto& [rows, cols] : shapes_)
        synapses += double(rows) * cols;
    EnergyLedger ledger(technology_, synapses);
    for (const EpochMetrics& m : history_)
        ledger.add(m.counts, static_cast<std::uint64_t>(m.images));
    if (position_ > 0)
        with_net([&](const auto& net) {
            ledger.add(net.counts(), static_cast<std::uint64_t>(position_));
        });
    return ledger.report();
}

LayerPicture Experiment::picture(int k) const {
    return with_net([&](const auto& net) {
        LayerPicture p = picture_of(net.weight_layer(k));
        p.gate_rows = net.weight_node(k).gate_rows();
        return p;
    });
}

bool Experiment::is_hot(const std::string& path) {
    // Live parameters (ARCHITECTURE.md, after TensorFlow Playground) are flagged in the schema:
    // they change what happens from the next image on without invalidating the state so far.
    const FieldSpec* f = find_field(path);
    return f && f->live;
}

void Experiment::set_parameter(const std::string& path, const nlohmann::json& value) {
    const FieldSpec* f = find_field(path, config_.tile.device.family());
    if (!f) throw InputError(path + " is not a known field");
    if (!f->live)
        throw InputError(path + " is structural: it changes the network or the devices; "
                                "press Reset (or load the edited config) to apply it");
    nlohmann::json j = config_;
    set_at_path(j, path, value, path);
    ExperimentConfig next = j.get<ExperimentConfig>();
    if (next.technology != config_.technology)
        technology_ = std::make_shared<const TechnologyPreset>(load_technology(next.technology));
    if (net32_)
        for (int k = 0; k < net32_->weight_count(); ++k)
            if (auto* d = dynamic_cast<DeviceLayer*>(&net32_->weight_layer(k))) {
                d->apply_hot(next.scheme, next.tile);
                d->set_seconds_per_image(next.training.seconds_per_image);
            }
    config_ = std::move(next);
    // A changed setting (a smaller learning rate, say) may cure what made training diverge.
    divergence_.clear();
    log_event(path + " = " + value.dump());
}

void Experiment::pin(int layer, int row, int col) {
    require_range("pinned layer", layer, 0, layer_count() - 1);
    const Eigen::MatrixXf w = weights(layer);
    require_range("pinned row", row, 0, static_cast<double>(w.rows() - 1));
    require_range("pinned column", col, 0, static_cast<double>(w.cols() - 1));
    for (const auto& t : traces_)
        if (t.layer == layer && t.row == row && t.col == col) return;
    traces_.push_back({layer, row, col, {}, {}, {}, {}});
    record_traces();
}

void Experiment::unpin_all() {
    traces_.clear();
}

void Experiment::record_traces() {
    constexpr std::size_t max_points = 20000;
    for (SynapseTrace& t : traces_) {
        const DeviceLayer* d =
            net32_ ? dynamic_cast<const DeviceLayer*>(&net32_->weight_layer(t.layer)) : nullptr;
        if (t.t_s.size() >= max_points) {
            // Keep the whole history at half the resolution rather than only its tail.
            auto halve = [](std::vector<double>& v) {
                for (std::size_t i = 0; 2 * i < v.size(); ++i)
                    v[i] = v[2 * i];
                v.resize((v.size() + 1) / 2);
            };
            for (auto* v : {&t.t_s, &t.g_plus_uS, &t.g_minus_uS, &t.weight})
                halve(*v);
        }
        t.t_s.push_back(simulated_time_s_);
        if (d) {
            const SynapseReading r = d->read_synapse(t.row, t.col);
            t.g_plus_uS.push_back(r.g_plus_uS);
            if (r.pair) t.g_minus_uS.push_back(r.g_minus_uS);
            t.weight.push_back(r.weight);
        } else {
            t.weight.push_back(weights(t.layer)(t.row, t.col));
        }
    }
}

DriftCurve Experiment::drift_curve(const std::vector<double>& times_s) const {
    DriftCurve curve;
    for (double t : times_s)
        require_range("drift time", t, 0, 1e10, "s");
    curve.times_s = times_s;
    for (bool compensate : {false, true}) {
        for (std::size_t i = 0; i < times_s.size(); ++i) {
            double acc = 0;
            with_net([&](const auto& net) {
                auto aged = net; // a copy: the training network keeps its device time
                if constexpr (std::is_same_v<decltype(aged), Network<float>>)
                    for (int k = 0; k < aged.weight_count(); ++k)
                        if (auto* d = dynamic_cast<DeviceLayer*>(&aged.weight_layer(k)))
                            d->age(times_s[i], compensate);
                acc = aged.evaluate(data_->test.images, data_->test.labels, 1'000'000 + i).accuracy;
            });
            (compensate ? curve.test_accuracy_compensated : curve.test_accuracy).push_back(acc);
        }
    }
    return curve;
}

} // namespace cbl
