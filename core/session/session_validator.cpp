#include "core/session/session_validator.hpp"

#include "core/common/param_error.hpp"
#include "core/energy/technology.hpp"
#include "core/experiment/experiment.hpp"
#include "core/experiment/gan_run.hpp"
#include "core/experiment/rl_run.hpp"

#include <algorithm>
#include <cfloat>
#include <climits>
#include <cmath>
#include <limits>
#include <optional>

namespace cbl {
namespace {

// Counts are summed and priced in double (energy, rates); past 2^53 they are no longer exact
// (2^64 - 1 gave NaN energy), and no simulated run comes near.
constexpr double max_count = 9007199254740992.0;
// The tile's own bound on its clock (CrossbarTile::restore).
constexpr double max_time_s = 1e12;

[[noreturn]] void refuse(const std::string& where, const std::string& what) {
    throw InputError(where + ": " + what);
}

std::string entry(const std::string& dataset, std::size_t i) {
    return dataset + "[" + std::to_string(i) + "]";
}

std::string shape_text(const std::vector<std::size_t>& s) {
    std::string t = "(";
    for (std::size_t i = 0; i < s.size(); ++i)
        t += (i ? ", " : "") + std::to_string(s[i]);
    return t + ")";
}

const char* dtype_text(const StateArray& a) {
    static constexpr const char* names[] = {"float32", "float64", "uint8",
                                            "int32",   "uint32",  "uint64"};
    return names[a.data.index()];
}

/// lo <= v <= hi and finite, else "<where> = v, expected <expected>".
void require(const std::string& where, double v, double lo, double hi,
             const std::string& expected) {
    if (!(std::isfinite(v) && v >= lo && v <= hi))
        refuse(where, "= " + format_number(v) + ", expected " + expected);
}

// ---- config -----------------------------------------------------------------------------------

ExperimentConfig check_config(const nlohmann::json& j) {
    ExperimentConfig c;
    try {
        c = j.get<ExperimentConfig>();
        c.validate();
    } catch (const InputError& e) {
        refuse("attribute config", e.what());
    } catch (const std::exception&) {
        // The schema reads every field; anything else is a shape it does not expect at all.
        refuse("attribute config", "is not an experiment configuration of this CrossbarLab");
    }
    // The schema already refuses separators; a name must also be one of the lab's presets, so
    // that it can only ever open a file inside resources/technology.
    const auto names = technology_names();
    if (std::find(names.begin(), names.end(), c.technology) == names.end()) {
        std::string known;
        for (const auto& n : names)
            known += (known.empty() ? "" : ", ") + n;
        refuse("attribute config", "technology = \"" + c.technology +
                                       "\" is not a preset of resources/technology; expected one "
                                       "of " +
                                       known);
    }
    return c;
}

// ---- state arrays -----------------------------------------------------------------------------

/// The images of the dataset source when the source fixes them (the built-in sets are 28 x 28
/// grey images); a folder's show only on load.
std::optional<ImageShape> known_image(const ExperimentConfig& c) {
    const std::string& s = c.dataset.source;
    if (s == "fashion-mnist" || s == "mnist" || s == "synthetic") return ImageShape{1, 28, 28};
    return std::nullopt;
}

/// The image shape and classes a graph network is built for, when the dataset source fixes
/// them (the built-in sets have 10 classes).
std::optional<std::pair<ImageShape, int>> known_input(const ExperimentConfig& c) {
    if (c.network.graph.empty()) // a chain takes its shapes from network.layers alone
        return std::pair{ImageShape{1, 1, c.network.layers.front() - 1}, c.network.layers.back()};
    if (const auto image = known_image(c)) return std::pair{*image, 10};
    return std::nullopt;
}

/// Values the stored arrays hold in all.
std::size_t stored_values(const ExperimentState& st) {
    std::size_t n = 0;
    for (const auto& [path, a] : st.arrays)
        n += std::visit([](const auto& v) { return v.size(); }, a.data);
    return n;
}

/// Every scheme stores at least one value per weight (w or g_plus): a large network of a config
/// whose state holds fewer values is wrong, and is not built to find out. Small ones are cheap
/// to build and then named by the array that is missing.
void check_weight_count(const std::vector<std::pair<int, int>>& shapes, std::size_t stored) {
    double weights = 0;
    for (const auto& [rows, cols] : shapes)
        weights += double(rows) * double(cols);
    if (weights > 1e6 && weights > double(stored))
        refuse("attribute config", "network of " + format_number(weights) +
                                       " weights, but /state holds only " + std::to_string(stored) +
                                       " values");
}

/// The arrays this config's network saves (names, dtypes, shapes), from a freshly built network:
/// the layout is whatever the layers write, never a second copy of it here.
StateArrays expected_arrays(const ExperimentConfig& c, ImageShape image, int classes, int in_batch,
                            std::size_t stored, std::size_t& layers) {
    std::vector<std::pair<int, int>> shapes;
    try {
        shapes = network_shapes(c, image, classes);
    } catch (const InputError& e) {
        refuse("attribute config", e.what());
    }
    check_weight_count(shapes, stored);
    BuiltNetwork b;
    try {
        b = build_network(c, image, classes);
    } catch (const InputError& e) {
        refuse("attribute config", e.what());
    }
    layers = b.shapes.size();
    StateArrays out;
    if (b.net32)
        b.net32->save_state(out);
    else
        b.net64->save_state(out);
    // A pending mini-batch adds its accumulated gradient, one per weight matrix (WeightNode).
    if (in_batch > 0)
        for (std::size_t k = 0; k < layers; ++k) {
            const std::vector<std::size_t> shape{std::size_t(b.shapes[k].first),
                                                 std::size_t(b.shapes[k].second)};
            const std::string path = "layer_" + std::to_string(k) + "/pending_gradient";
            if (b.net32)
                put_array(out, path, std::vector<float>{}, shape, "weight");
            else
                put_array(out, path, std::vector<double>{}, shape, "weight");
        }
    return out;
}

void check_layout(const StateArrays& stored, const StateArrays& expected) {
    for (const auto& [path, want] : expected) {
        const std::string where = "/state/" + path;
        const auto it = stored.find(path);
        if (it == stored.end())
            refuse(where, std::string("is missing, expected ") + dtype_text(want) + " " +
                              shape_text(want.shape) + " for the network of the stored config");
        const StateArray& got = it->second;
        if (got.data.index() != want.data.index())
            refuse(where, std::string("is ") + dtype_text(got) + ", expected " + dtype_text(want));
        if (got.shape != want.shape)
            refuse(where, "has shape " + shape_text(got.shape) + ", expected " +
                              shape_text(want.shape) + " for the network of the stored config");
    }
}

/// Every weight layer's prefix "layer_<k>/" present in the arrays, as a count; layers must be
/// numbered 0..count-1.
std::size_t stored_layer_count(const StateArrays& arrays) {
    std::size_t count = 0;
    while (true) {
        const std::string prefix = "layer_" + std::to_string(count) + "/";
        const auto it = arrays.lower_bound(prefix);
        if (it == arrays.end() || !it->first.starts_with(prefix)) return count;
        ++count;
    }
}

/// Values in their physical ranges: nothing NaN or infinite, conductances inside the device
/// window, times not after the session's clock.
void check_values(const std::string& path, const StateArray& a, const ExperimentConfig& c,
                  double now_s) {
    const std::string where = "/state/" + path;
    const auto* f = std::get_if<std::vector<float>>(&a.data);
    const auto* d = std::get_if<std::vector<double>>(&a.data);
    if (!f && !d) {
        if (const auto* u = std::get_if<std::vector<std::uint64_t>>(&a.data))
            for (std::size_t i = 0; i < u->size(); ++i)
                if (double((*u)[i]) > max_count)
                    refuse(entry(where, i),
                           "= " + std::to_string((*u)[i]) + ", expected a count of at most 2^53");
        return;
    }
    const std::size_t n = f ? f->size() : d->size();
    const auto value = [&](std::size_t i) { return f ? double((*f)[i]) : (*d)[i]; };
    // A float time was rounded from the double clock: compare it with the clock rounded alike.
    const double now = f ? double(float(now_s)) : now_s;
    const bool times = a.unit == "s";
    const bool tile_times = path.ends_with("tile_times");
    // The tile's clock and cache time; entries 2 and 3 (cache_min_age_s, cache_first_program_s)
    // are ages and first times that are infinite until the device is programmed.
    const std::size_t clocks = tile_times ? 2 : n;
    const bool conductance = a.unit == "uS";
    const double g_lo = float(c.tile.device.g_min_uS());
    // RRAM devices reach their own, spread G_max (DevicePhysics::reachable_g_max_uS), which only
    // the tile knows; it checks that bound when it restores.
    const bool nominal_top = !std::holds_alternative<RramParams>(c.tile.device.model);
    const double g_hi = nominal_top ? double(float(c.tile.device.g_max_uS()))
                                    : std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < n; ++i) {
        const double v = value(i);
        if (times) {
            // Sessions saved before the tile clamped it could hold the youngest age (entry 2)
            // a float rounding of the clock below 0.
            const double lowest = tile_times && i == 2 ? -now_s * FLT_EPSILON : 0.0;
            if (i >= clocks ? !(v >= lowest) : !(std::isfinite(v) && v >= 0))
                refuse(entry(where, i), "= " + format_number(v) + ", expected a time >= 0 s");
            if (i < clocks && v > now)
                refuse(entry(where, i),
                       "= " + format_number(v) + " s is after the session's simulated time " +
                           format_number(now_s) + " s (/state attribute simulated_time_s)");
            continue;
        }
        if (!std::isfinite(v))
            refuse(entry(where, i), "= " + format_number(v) + ", expected a finite value");
        if (conductance && (v < g_lo || v > g_hi))
            refuse(entry(where, i),
                   "= " + format_number(v) +
                       " uS, expected a conductance inside the device window " +
                       format_number(g_lo) + " .. " +
                       (nominal_top ? format_number(g_hi) : std::string("the device's G_max")) +
                       " uS");
        // 0 means compensation off; the tile's own bound above (CrossbarTile::restore).
        if (path.ends_with("drift_reference"))
            require(entry(where, i), v, 0, 1e30, "a reference 0 (off) .. 1e30");
        if (a.unit == "weight^2" && v < 0)
            refuse(entry(where, i), "= " + format_number(v) + ", expected a square >= 0");
        if (a.unit == "nats" && v < 0)
            refuse(entry(where, i), "= " + format_number(v) + ", expected a loss >= 0 nats");
    }
}

// ---- history, scalars, events -----------------------------------------------------------------

void check_history(const ExperimentState& st, std::size_t layers) {
    double previous_time = 0;
    std::uint64_t images = 0;
    for (std::size_t e = 0; e < st.history.size(); ++e) {
        const EpochMetrics& m = st.history[e];
        if (m.epoch != int(e) + 1)
            refuse(entry("/history/epoch", e), "= " + std::to_string(m.epoch) + ", expected " +
                                                   std::to_string(e + 1) +
                                                   " (epochs numbered in order from 1)");
        require(entry("/history/train_accuracy", e), m.train_accuracy, 0, 1, "a fraction 0 .. 1");
        require(entry("/history/test_accuracy", e), m.test_accuracy, 0, 1, "a fraction 0 .. 1");
        const double inf = std::numeric_limits<double>::max();
        require(entry("/history/train_loss", e), m.train_loss, 0, inf, "a finite loss >= 0");
        require(entry("/history/test_loss", e), m.test_loss, 0, inf, "a finite loss >= 0");
        require(entry("/history/validation_loss", e), m.validation_loss, 0, inf,
                "a finite loss >= 0");
        require(entry("/history/learning_rate", e), m.learning_rate, 0, inf, "a finite rate >= 0");
        require(entry("/history/wall_seconds", e), m.wall_seconds, 0, inf, "a finite time >= 0 s");
        require(entry("/history/simulated_time_s", e), m.simulated_time_s, previous_time,
                st.simulated_time_s,
                "a time between the previous epoch's " + format_number(previous_time) +
                    " s and the session's " + format_number(st.simulated_time_s) + " s");
        previous_time = m.simulated_time_s;
        if (m.images < 0)
            refuse(entry("/history/images", e),
                   "= " + std::to_string(m.images) + ", expected a count >= 0");
        images += std::uint64_t(m.images);
        require(entry("/history/refreshes", e), double(m.refreshes), 0, max_count,
                "a count of at most 2^53");
        const auto per_layer = [&](const char* dataset, std::size_t got) {
            if (got != layers)
                refuse(dataset, "has " + std::to_string(got) + " layers per epoch, expected " +
                                    std::to_string(layers) +
                                    " (the weight layers of the stored config's network)");
        };
        per_layer("/history/device_updates", m.device_updates.size());
        per_layer("/history/fp_equivalent_updates", m.fp_equivalent_updates.size());
        per_layer("/history/op_counts", m.counts.size());
        for (std::size_t k = 0; k < layers; ++k) {
            require(entry("/history/device_updates", e * layers + k), double(m.device_updates[k]),
                    0, max_count, "a count of at most 2^53");
            require(entry("/history/fp_equivalent_updates", e * layers + k),
                    double(m.fp_equivalent_updates[k]), 0, max_count, "a count of at most 2^53");
            for (const OpCounts& stage : m.counts[k].stage)
                for (const std::uint64_t v : op_count_values(stage))
                    if (double(v) > max_count)
                        refuse("/history/op_counts", "holds " + std::to_string(v) + " in epoch " +
                                                         std::to_string(e + 1) +
                                                         ", expected counts of at most 2^53");
        }
    }
    // Every trained image is counted once: in a finished epoch or in the one under way.
    if (st.step != images + std::uint64_t(st.position))
        refuse("/state attribute step",
               "= " + std::to_string(st.step) + ", expected " +
                   std::to_string(images + std::uint64_t(st.position)) +
                   " (the sum of /history/images plus /state attribute position)");
}

void check_scalars(const ExperimentState& st, const ExperimentConfig& c) {
    require("/state attribute simulated_time_s", st.simulated_time_s, 0, max_time_s,
            "a time 0 .. 1e12 s");
    require("/state attribute loss_sum", st.loss_sum, 0, std::numeric_limits<double>::max(),
            "a finite loss sum >= 0");
    if (st.in_batch >= c.training.batch_size)
        refuse("/state attribute in_batch", "= " + std::to_string(st.in_batch) +
                                                ", expected fewer than training.batch_size = " +
                                                std::to_string(c.training.batch_size));
    const auto it = st.arrays.find("network/in_batch");
    const auto* v =
        it == st.arrays.end() ? nullptr : std::get_if<std::vector<std::int32_t>>(&it->second.data);
    if (v && v->size() == 1 && (*v)[0] != st.in_batch)
        refuse("/state/network/in_batch", "= " + std::to_string((*v)[0]) + ", expected " +
                                              std::to_string(st.in_batch) +
                                              " (/state attribute in_batch)");
}

void check_events(const ExperimentState& st) {
    for (std::size_t i = 0; i < st.events.size(); ++i) {
        const Event& ev = st.events[i];
        if (ev.step > st.step)
            refuse(entry("/events/step", i), "= " + std::to_string(ev.step) +
                                                 ", expected at most the session's step " +
                                                 std::to_string(st.step));
        require(entry("/events/simulated_time_s", i), ev.simulated_time_s, 0, st.simulated_time_s,
                "a time 0 .. the session's " + format_number(st.simulated_time_s) + " s");
    }
}

/// A deep-RL session (RlRun::state): the arrays a fresh run of the config saves, plus the
/// episode rewards of any length; it plays episodes, not epochs, so it has no history, and its
/// devices keep their own clocks (no session clock to hold them to).
void check_rl_state(const ExperimentState& st, const ExperimentConfig& c) {
    if (!st.history.empty())
        refuse("/history", "holds " + std::to_string(st.history.size()) +
                               " epochs, expected none for a deep-RL session (task = rl)");
    StateArrays expected;
    try {
        expected = RlRun(c).state().arrays;
    } catch (const InputError& e) {
        refuse("attribute config", e.what());
    }
    const std::string rewards = "rl/episode_reward";
    expected.erase(rewards);
    check_layout(st.arrays, expected);
    const auto it = st.arrays.find(rewards);
    if (it == st.arrays.end() || !std::holds_alternative<std::vector<double>>(it->second.data) ||
        it->second.shape.size() != 1)
        refuse("/state/" + rewards, "is missing or not a float64 vector of episode rewards");
    for (const auto& [path, a] : st.arrays)
        check_values(path, a, c, std::numeric_limits<double>::infinity());
    // step is the environment steps played (rl/counters[0]); sessions written before it was
    // kept hold 0.
    const auto counters = st.arrays.find("rl/counters");
    const auto* steps = counters == st.arrays.end()
                            ? nullptr
                            : std::get_if<std::vector<std::uint64_t>>(&counters->second.data);
    if (steps && !steps->empty() && st.step != 0 && st.step != steps->front())
        refuse("/state attribute step", "= " + std::to_string(st.step) + ", expected " +
                                            std::to_string(steps->front()) +
                                            " (/state/rl/counters[0] environment steps)");
}

/// A GAN session (GanRun::state): the arrays a fresh run of the config saves, its finished
/// epochs in every array under GanRun::history_prefix (so no /history rows); its devices keep
/// their own clocks, as a deep-RL run's. Images from a folder show only on load, where the run
/// names what does not fit them.
void check_gan_state(const ExperimentState& st, const ExperimentConfig& c) {
    if (!st.history.empty())
        refuse("/history", "holds " + std::to_string(st.history.size()) +
                               " epochs, expected none for a GAN session (task = gan): its epochs "
                               "are under /state/" +
                               GanRun::history_prefix);
    if (const auto image = known_image(c)) {
        check_weight_count(gan::weight_shapes(c.gan, image->size()), stored_values(st));
        StateArrays expected;
        try {
            // A stand-in for the data: the layout depends on the image shape and batch only.
            auto data = std::make_shared<DataSplit>();
            data->train.images = Eigen::MatrixXf::Zero(image->size(), c.gan.batch_size);
            data->train.labels.assign(std::size_t(c.gan.batch_size), 0);
            expected = GanRun(c, std::move(data)).state().arrays;
        } catch (const InputError& e) {
            refuse("attribute config", e.what());
        }
        // Each history array has a row per finished epoch: as many as the Fréchet distances.
        const std::string fd = std::string(GanRun::history_prefix) + "frechet_distance";
        const auto it = st.arrays.find(fd);
        const std::size_t epochs =
            it == st.arrays.end() || it->second.shape.empty() ? 0 : it->second.shape[0];
        for (auto& [path, a] : expected)
            if (path.starts_with(GanRun::history_prefix)) a.shape[0] = epochs;
        // Sessions of earlier builds kept no full-precision counts per epoch.
        const std::string fp = std::string(GanRun::history_prefix) + GanRun::fp_equivalent_name;
        if (!st.arrays.contains(fp)) expected.erase(fp);
        check_layout(st.arrays, expected);
    }
    for (const auto& [path, a] : st.arrays)
        check_values(path, a, c, std::numeric_limits<double>::infinity());
    const auto it = st.arrays.find("gan/counters");
    const auto* counters =
        it == st.arrays.end() ? nullptr : std::get_if<std::vector<std::uint64_t>>(&it->second.data);
    const auto b = std::uint64_t(c.gan.batch_size);
    if (counters && !counters->empty() && st.step != (*counters)[0] * b)
        refuse("/state attribute step",
               "= " + std::to_string(st.step) + ", expected " + std::to_string((*counters)[0] * b) +
                   " (/state/gan/counters[0] alternating steps of gan.batch_size = " +
                   std::to_string(b) + " real images)");
    if (st.position < 0 || std::uint64_t(st.position) % b != 0 ||
        std::uint64_t(st.position) > st.step)
        refuse("/state attribute position",
               "= " + std::to_string(st.position) + ", expected a multiple of gan.batch_size = " +
                   std::to_string(b) + " real images, at most step = " + std::to_string(st.step));
}

} // namespace

void validate_session(const ExperimentState& st) {
    const ExperimentConfig c = check_config(st.config);
    check_scalars(st, c);
    if (c.task == "rl") check_rl_state(st, c);
    if (c.task == "gan") check_gan_state(st, c);
    if (c.task != "supervised") {
        check_events(st);
        return;
    }
    std::size_t layers = 0;
    if (const auto input = known_input(c)) {
        const StateArrays expected =
            expected_arrays(c, input->first, input->second, st.in_batch, stored_values(st), layers);
        check_layout(st.arrays, expected);
        for (const auto& [path, want] : expected)
            check_values(path, st.arrays.at(path), c, st.simulated_time_s);
    } else {
        // A graph network on a folder of images: its shapes show only with the data; the
        // experiment's own load checks them. Values and counts are checked all the same.
        layers = stored_layer_count(st.arrays);
        for (const auto& [path, a] : st.arrays)
            check_values(path, a, c, st.simulated_time_s);
    }
    check_history(st, layers);
    check_events(st);
}

void validate_session_gui(const SessionGui& gui, const ExperimentState& st) {
    const ExperimentConfig c = check_config(st.config);
    // The weight matrices pins point into: exact where the data fixes the shapes, else only the
    // layer count (a folder's images: the engine's pin refuses a row or column beyond them).
    std::vector<std::pair<int, int>> shapes;
    const auto input = c.task == "supervised" ? known_input(c) : std::nullopt;
    if (input)
        shapes = network_shapes(c, input->first, input->second);
    else if (c.task == "gan") {
        // The generator's matrices, then the discriminator's.
        const auto image = known_image(c);
        shapes = gan::weight_shapes(c.gan, image ? image->size() : 1);
        if (!image) shapes.assign(shapes.size(), {INT_MAX, INT_MAX});
    } else
        shapes.assign(stored_layer_count(st.arrays), {INT_MAX, INT_MAX});
    const int layers = int(shapes.size());
    if (gui.pins.size() > max_pinned_synapses)
        refuse("/gui/pinned_synapses", "holds " + std::to_string(gui.pins.size()) +
                                           " synapses, expected at most " +
                                           std::to_string(max_pinned_synapses));
    for (std::size_t i = 0; i < gui.pins.size(); ++i) {
        const PinnedSynapse& p = gui.pins[i];
        const std::string where = entry("/gui/pinned_synapses", i);
        require(where + " layer", p.layer, 0, layers - 1,
                "a weight layer 0 .. " + std::to_string(layers - 1));
        const auto [rows, cols] = shapes[std::size_t(p.layer)];
        require(where + " row", p.row, 0, rows - 1, "0 .. " + std::to_string(rows - 1));
        require(where + " column", p.col, 0, cols - 1, "0 .. " + std::to_string(cols - 1));
    }
    require("/gui attribute heatmap_layer", gui.heatmap_layer, 0, std::max(0, layers - 1),
            "a weight layer 0 .. " + std::to_string(std::max(0, layers - 1)));
    const double huge = std::numeric_limits<double>::max();
    require("/gui attribute heatmap_g_max_uS", gui.g_max_uS, 0, huge, "a conductance >= 0 µS");
    require("/gui attribute heatmap_w_max", gui.w_max, 0, huge, "a weight >= 0");
    require("/gui attribute heatmap_chi_max_eps", gui.chi_max_eps, 0, huge, "a number >= 0");
}

} // namespace cbl
