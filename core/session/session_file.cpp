#include "core/session/session_file.hpp"

#include "core/common/param_error.hpp"
#include "core/config/json_file.hpp"
#include "core/experiment/config.hpp"
#include "core/session/atomic_file.hpp"
#include "core/session/child_process.hpp"
#include "core/session/hdf5_io.hpp"
#include "core/session/session_validator.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <ctime>
#include <sys/stat.h>
#include <unistd.h>

namespace cbl {
namespace {

constexpr const char* format_name = "CrossbarLab session";
/// OpCounts fields in op_count_values() order: the `fields` attribute of /history/op_counts.
const std::vector<std::string> op_count_fields{
    "mvms",         "device_reads", "dac_conversions", "adc_conversions", "adc_bit_conversions",
    "digital_macs", "activations",  "chi_reads",       "chi_writes",      "set_pulses",
    "reset_pulses", "verify_reads", "refreshed_pairs", "shift_adds",      "partial_sum_adds"};
constexpr std::size_t field_count = std::tuple_size_v<decltype(op_count_values(OpCounts{}))>;
/// Schema 2 stored the first 14 fields (partial_sum_adds came with schema 3).
constexpr std::size_t schema2_field_count = 14;
// Bounds a crafted file cannot exceed however small it is (each member costs at least bytes).
constexpr std::size_t max_state_arrays = 100000;
constexpr int max_state_depth = 16;
constexpr std::size_t max_layers = 4096;

std::string utc_now() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// ---- saving -----------------------------------------------------------------------------------

/// Per-layer vectors of all epochs as one row-major (epochs x layers) array; all epochs must
/// have the same number of layers.
template <typename Get>
std::vector<std::uint64_t> per_layer(const std::vector<EpochMetrics>& history, const char* name,
                                     std::size_t& layers, Get get) {
    layers = history.empty() ? 0 : get(history.front()).size();
    std::vector<std::uint64_t> out;
    for (const EpochMetrics& m : history) {
        if (get(m).size() != layers)
            throw InputError("history: " + std::string(name) + " of epoch " +
                             std::to_string(m.epoch) + " has " + std::to_string(get(m).size()) +
                             " layers, epoch 1 had " + std::to_string(layers));
        out.insert(out.end(), get(m).begin(), get(m).end());
    }
    return out;
}

template <typename T, typename Get>
void write_column(hid_t group, const std::vector<EpochMetrics>& history, const char* name,
                  const char* unit, Get get) {
    std::vector<T> v;
    for (const EpochMetrics& m : history)
        v.push_back(static_cast<T>(get(m)));
    h5::Id ds = h5::write_dataset(group, name, v.data(), {v.size()});
    h5::write_attribute(ds.get(), "unit", std::string(unit));
}

void write_history(hid_t file, const std::vector<EpochMetrics>& history) {
    h5::Id g = h5::create_group(file, "history");
    const hid_t h = g.get();
    write_column<std::int32_t>(h, history, "epoch", "", [](auto& m) { return m.epoch; });
    write_column<double>(h, history, "train_accuracy", "fraction",
                         [](auto& m) { return m.train_accuracy; });
    write_column<double>(h, history, "test_accuracy", "fraction",
                         [](auto& m) { return m.test_accuracy; });
    write_column<double>(h, history, "train_loss", "nats", [](auto& m) { return m.train_loss; });
    write_column<double>(h, history, "test_loss", "nats", [](auto& m) { return m.test_loss; });
    write_column<double>(h, history, "validation_loss", "nats",
                         [](auto& m) { return m.validation_loss; });
    if (std::any_of(history.begin(), history.end(),
                    [](const EpochMetrics& m) { return !m.sample_text.empty(); })) {
        std::vector<std::string> text;
        for (const EpochMetrics& m : history)
            text.push_back(m.sample_text);
        h5::Id ds = h5::write_strings(h, "sample_text", text);
        h5::write_attribute(ds.get(), "unit", std::string());
    }
    write_column<double>(h, history, "learning_rate", "", [](auto& m) { return m.learning_rate; });
    write_column<std::uint64_t>(h, history, "refreshes", "pairs",
                                [](auto& m) { return m.refreshes; });
    write_column<double>(h, history, "simulated_time_s", "s",
                         [](auto& m) { return m.simulated_time_s; });
    write_column<double>(h, history, "wall_seconds", "s", [](auto& m) { return m.wall_seconds; });
    write_column<std::int32_t>(h, history, "images", "images", [](auto& m) { return m.images; });

    const std::size_t epochs = history.size();
    std::size_t layers = 0;
    auto v = per_layer(
        history, "device_updates", layers,
        [](const EpochMetrics& m) -> auto& { return m.device_updates; });
    h5::Id d = h5::write_dataset(h, "device_updates", v.data(), {epochs, layers});
    h5::write_attribute(d.get(), "unit", std::string("pulses"));
    v = per_layer(
        history, "fp_equivalent_updates", layers,
        [](const EpochMetrics& m) -> auto& { return m.fp_equivalent_updates; });
    d = h5::write_dataset(h, "fp_equivalent_updates", v.data(), {epochs, layers});
    h5::write_attribute(d.get(), "unit", std::string("weights"));

    std::vector<std::uint64_t> counts;
    const std::size_t count_layers = history.empty() ? 0 : history.front().counts.size();
    for (const EpochMetrics& m : history) {
        if (m.counts.size() != count_layers)
            throw InputError("history: op counts of epoch " + std::to_string(m.epoch) + " have " +
                             std::to_string(m.counts.size()) + " layers, epoch 1 had " +
                             std::to_string(count_layers));
        for (const StageCounts& layer : m.counts)
            for (const OpCounts& stage : layer.stage) {
                const auto values = op_count_values(stage);
                counts.insert(counts.end(), values.begin(), values.end());
            }
    }
    d = h5::write_dataset(h, "op_counts", counts.data(),
                          {epochs, count_layers, std::size_t(stage_count), field_count});
    h5::write_attribute(d.get(), "unit", std::string("count"));
    h5::write_attribute(d.get(), "stages",
                        std::vector<std::string>(stage_names.begin(), stage_names.end()));
    h5::write_attribute(d.get(), "fields", op_count_fields);
}

/// A StateArrays key must be a relative path of plain names (it becomes groups and a dataset).
void check_state_path(const std::string& path) {
    std::size_t begin = 0;
    while (true) {
        const std::size_t end = path.find('/', begin);
        const std::string part = path.substr(begin, end - begin);
        if (part.empty() || part == "." || part == ".." || part.find('\0') != std::string::npos)
            throw InputError("state array name \"" + path + "\" is not a path of plain names");
        if (end == std::string::npos) return;
        begin = end + 1;
    }
}

void write_state(hid_t file, const ExperimentState& st) {
    h5::Id g = h5::create_group(file, "state");
    const hid_t s = g.get();
    h5::write_attribute(s, "step", std::uint64_t(st.step));
    h5::write_attribute(s, "position", std::int64_t(st.position));
    h5::write_attribute(s, "correct", std::int64_t(st.correct));
    h5::write_attribute(s, "loss_sum", st.loss_sum);
    h5::write_attribute(s, "simulated_time_s", st.simulated_time_s);
    h5::write_attribute(s, "in_batch", std::int64_t(st.in_batch));
    h5::write_attribute(s, "rng",
                        std::string("Philox4x32-10 keyed by (config training.seed, "
                                    "stream, layer), counter (step, index)"));
    for (const auto& [path, array] : st.arrays) {
        check_state_path(path);
        std::size_t n = 1;
        for (const std::size_t d : array.shape)
            n *= d;
        std::visit(
            [&, &path = path, &array = array](const auto& v) {
                if (v.size() != n)
                    throw InputError("state array " + path + " holds " + std::to_string(v.size()) +
                                     " values but its shape holds " + std::to_string(n));
                h5::Id ds = h5::write_dataset(s, path, v.data(), array.shape);
                h5::write_attribute(ds.get(), "unit", array.unit);
            },
            array.data);
    }
}

void write_events(hid_t file, const std::vector<Event>& events) {
    h5::Id g = h5::create_group(file, "events");
    std::vector<std::uint64_t> step;
    std::vector<double> time_s;
    std::vector<std::string> what;
    for (const Event& e : events) {
        step.push_back(e.step);
        time_s.push_back(e.simulated_time_s);
        what.push_back(e.what);
    }
    h5::Id d = h5::write_dataset(g.get(), "step", step.data(), {step.size()});
    h5::write_attribute(d.get(), "unit", std::string("images"));
    d = h5::write_dataset(g.get(), "simulated_time_s", time_s.data(), {time_s.size()});
    h5::write_attribute(d.get(), "unit", std::string("s"));
    h5::write_strings(g.get(), "what", what);
}

/// The session as the bytes of an HDF5 file. The file is built in memory (core driver, no
/// backing store) and copied out, so HDF5 never touches the disk: a full disk or a write error
/// is met by our own write() in write_file_atomically. (When HDF5 itself met ENOSPC while
/// writing a file, HDF5 1.10 kept a broken file object that crashed the process at exit.)
/// `label` names the in-memory file; it must be unique among files open in this process.
h5::FileImage encode(const std::string& label, const ExperimentState& st, const SessionInfo& info);

/// Each comparison run is a whole session of its own, stored as the bytes of its file
/// (docs/session-format.md, "/comparisons"): one format, one validator, and h5py opens it from
/// the bytes (io.BytesIO).
void write_comparisons(hid_t file, const std::string& label, const SessionInfo& info) {
    if (info.comparisons.empty()) return;
    if (info.comparisons.size() > max_comparison_runs)
        throw InputError(std::to_string(info.comparisons.size()) + " comparison runs, at most " +
                         std::to_string(max_comparison_runs) + " fit in a session");
    h5::create_group(file, "/comparisons");
    for (std::size_t i = 0; i < info.comparisons.size(); ++i) {
        const ComparisonRun& run = info.comparisons[i];
        SessionInfo own;
        own.app_version = info.app_version;
        own.created = info.created;
        own.dataset = info.dataset;
        const h5::FileImage bytes = encode(label + "-run-" + std::to_string(i), run.state, own);
        const h5::Id ds =
            h5::write_dataset(file, "/comparisons/run_" + std::to_string(i),
                              reinterpret_cast<const std::uint8_t*>(bytes.data()), {bytes.size()});
        h5::write_attribute(ds.get(), "label", run.label);
        h5::write_attribute(ds.get(), "group", std::int64_t(run.group));
    }
}

/// The GUI's pins and colour hold (docs/session-format.md, "/gui"): attributes of a group, the
/// pins a (n, 3) dataset of (layer, row, column).
void write_gui(hid_t file, const SessionGui& gui) {
    h5::Id g = h5::create_group(file, "/gui");
    h5::write_attribute(g.get(), "heatmap_hold_colour_scale", std::int64_t(gui.hold_colour_scale));
    h5::write_attribute(g.get(), "heatmap_layer", std::int64_t(gui.heatmap_layer));
    h5::write_attribute(g.get(), "heatmap_g_max_uS", gui.g_max_uS);
    h5::write_attribute(g.get(), "heatmap_w_max", gui.w_max);
    h5::write_attribute(g.get(), "heatmap_chi_max_eps", gui.chi_max_eps);
    std::vector<std::int64_t> pins;
    for (const PinnedSynapse& p : gui.pins)
        pins.insert(pins.end(), {p.layer, p.row, p.col});
    h5::Id d = h5::write_dataset(g.get(), "pinned_synapses", pins.data(), {gui.pins.size(), 3});
    h5::write_attribute(d.get(), "columns", std::vector<std::string>{"layer", "row", "column"});
}

h5::FileImage encode(const std::string& label, const ExperimentState& st, const SessionInfo& info) {
    h5::MemoryFile file(label);
    h5::Id root =
        h5::checked(H5Gopen2(file.get(), "/", H5P_DEFAULT), H5Gclose, "cannot open the root group");
    h5::write_attribute(root.get(), "format", std::string(format_name));
    h5::write_attribute(root.get(), "schema_version", std::int64_t(session_schema_version));
    h5::write_attribute(root.get(), "app_version", info.app_version);
    h5::write_attribute(root.get(), "created", info.created.empty() ? utc_now() : info.created);
    h5::write_attribute(root.get(), "dataset", info.dataset);
    h5::write_attribute(root.get(), "config", st.config.dump());
    write_history(file.get(), st.history);
    write_state(file.get(), st);
    write_events(file.get(), st.events);
    write_comparisons(file.get(), label, info);
    if (info.gui) write_gui(file.get(), *info.gui);
    root.close();
    return file.close();
}

// ---- migration (docs/session-format.md, "Versions and migration") ----------------------------

/// Schema 1 kept a tile's drift-compensation reference (weight units) as entry 1 of its
/// 5-entry `tile_times` (seconds); schema 2 stores it as `drift_reference`.
void upgrade_1_to_2(ExperimentState& st) {
    StateArrays moved;
    const std::string suffix = "tile_times";
    for (auto& [path, a] : st.arrays) {
        auto* t = std::get_if<std::vector<double>>(&a.data);
        if (!path.ends_with(suffix) || !t || t->size() != 5) continue;
        const std::string prefix = path.substr(0, path.size() - suffix.size());
        put_array(moved, prefix + "drift_reference", std::vector<double>{(*t)[1]}, {1}, "weight");
        t->erase(t->begin() + 1);
        a.shape = {4};
    }
    st.arrays.merge(moved);
}

/// Schema 3 added partial_sum_adds (the digital adds of split matrices, OpCounts' last field):
/// a layer's op_counts_epoch of schema 2 gets a zero count per stage.
void upgrade_2_to_3(ExperimentState& st) {
    const std::string suffix = "op_counts_epoch";
    for (auto& [path, a] : st.arrays) {
        auto* v = std::get_if<std::vector<std::uint64_t>>(&a.data);
        if (!path.ends_with(suffix) || !v || v->size() != stage_count * schema2_field_count)
            continue;
        std::vector<std::uint64_t> padded;
        for (int s = 0; s < stage_count; ++s) {
            const auto row = v->begin() + std::ptrdiff_t(s * schema2_field_count);
            padded.insert(padded.end(), row, row + std::ptrdiff_t(schema2_field_count));
            padded.resize(padded.size() + field_count - schema2_field_count, 0);
        }
        *v = std::move(padded);
        a.shape = {std::size_t(stage_count), field_count};
    }
}

// ---- loading ----------------------------------------------------------------------------------

template <typename T>
std::vector<T> read_exact(hid_t group, const std::string& path, h5::Budget& budget,
                          const std::vector<std::size_t>& shape) {
    h5::NumericArray a = h5::read_numeric(group, path, budget);
    auto* v = std::get_if<std::vector<T>>(&a.data);
    if (!v)
        throw InputError(path + " is " + h5::dtype_name(a.data) + ", expected " +
                         h5::dtype_name(h5::NumericData(std::vector<T>{})));
    if (a.shape != shape) {
        auto text = [](const std::vector<std::size_t>& s) {
            std::string t = "(";
            for (std::size_t i = 0; i < s.size(); ++i)
                t += (i ? ", " : "") + std::to_string(s[i]);
            return t + ")";
        };
        throw InputError(path + " has shape " + text(a.shape) + ", expected " + text(shape));
    }
    return std::move(*v);
}

/// Extent of dimension `dim` of a dataset of rank `rank`, read before the dataset itself so
/// that the expected shape can be checked as a whole.
std::size_t extent(hid_t group, const std::string& path, std::size_t rank, std::size_t dim) {
    if (!h5::exists(group, path)) throw InputError(path + " is missing");
    h5::Id ds = h5::checked(H5Dopen2(group, path.c_str(), H5P_DEFAULT), H5Dclose,
                            "cannot open dataset " + path);
    h5::Id space =
        h5::checked(H5Dget_space(ds.get()), H5Sclose, "cannot read the shape of " + path);
    const int r = H5Sget_simple_extent_ndims(space.get());
    if (r != int(rank))
        throw InputError(path + " has rank " + std::to_string(r) + ", expected " +
                         std::to_string(rank));
    hsize_t dims[4]{};
    h5::check(H5Sget_simple_extent_dims(space.get(), dims, nullptr),
              "cannot read the shape of " + path);
    return static_cast<std::size_t>(dims[dim]);
}

std::size_t layer_extent(hid_t group, const std::string& path, std::size_t rank) {
    const std::size_t layers = extent(group, path, rank, 1);
    if (layers > max_layers)
        throw InputError(path + " claims " + std::to_string(layers) + " layers");
    return layers;
}

int to_int(std::int64_t v, const std::string& what) {
    if (v < 0 || v > INT_MAX) throw InputError(what + " = " + std::to_string(v) + " is invalid");
    return static_cast<int>(v);
}

std::vector<EpochMetrics> read_history(hid_t file, h5::Budget& budget) {
    // Absolute paths, so that messages name the dataset as h5py users see it.
    const hid_t h = file;
    h5::open_group(file, "/history"); // a clear message when the group is missing
    const std::size_t epochs = extent(h, "/history/epoch", 1, 0);
    const std::vector<std::size_t> column{epochs};
    const auto epoch = read_exact<std::int32_t>(h, "/history/epoch", budget, column);
    const auto train_acc = read_exact<double>(h, "/history/train_accuracy", budget, column);
    const auto test_acc = read_exact<double>(h, "/history/test_accuracy", budget, column);
    const auto train_loss = read_exact<double>(h, "/history/train_loss", budget, column);
    const auto test_loss = read_exact<double>(h, "/history/test_loss", budget, column);
    // Text data only; files written before they were stored have neither.
    const auto validation_loss =
        h5::exists(h, "/history/validation_loss")
            ? read_exact<double>(h, "/history/validation_loss", budget, column)
            : std::vector<double>(epochs, 0.0);
    auto sample_text = h5::exists(h, "/history/sample_text")
                           ? h5::read_strings(h, "/history/sample_text", budget)
                           : std::vector<std::string>(epochs);
    if (sample_text.size() != epochs)
        throw InputError("/history/sample_text has " + std::to_string(sample_text.size()) +
                         " entries for " + std::to_string(epochs) + " epochs");
    const auto rate = read_exact<double>(h, "/history/learning_rate", budget, column);
    const auto refreshes = read_exact<std::uint64_t>(h, "/history/refreshes", budget, column);
    const auto sim_s = read_exact<double>(h, "/history/simulated_time_s", budget, column);
    const auto wall_s = read_exact<double>(h, "/history/wall_seconds", budget, column);
    const auto images = read_exact<std::int32_t>(h, "/history/images", budget, column);
    const std::size_t dev_layers = layer_extent(h, "/history/device_updates", 2);
    const auto dev =
        read_exact<std::uint64_t>(h, "/history/device_updates", budget, {epochs, dev_layers});
    const std::size_t fp_layers = layer_extent(h, "/history/fp_equivalent_updates", 2);
    const auto fp =
        read_exact<std::uint64_t>(h, "/history/fp_equivalent_updates", budget, {epochs, fp_layers});
    const std::size_t count_layers = layer_extent(h, "/history/op_counts", 4);
    // Schema 2 files hold one field fewer; the missing counts (partial_sum_adds) are zero.
    const std::size_t file_fields = extent(h, "/history/op_counts", 4, 3) == schema2_field_count
                                        ? schema2_field_count
                                        : field_count;
    const auto counts =
        read_exact<std::uint64_t>(h, "/history/op_counts", budget,
                                  {epochs, count_layers, std::size_t(stage_count), file_fields});
    h5::Id ds = h5::checked(H5Dopen2(h, "/history/op_counts", H5P_DEFAULT), H5Dclose,
                            "cannot open /history/op_counts");
    const auto stages = h5::read_strings_attribute(ds.get(), "stages", budget);
    const auto fields = h5::read_strings_attribute(ds.get(), "fields", budget);
    if (stages != std::vector<std::string>(stage_names.begin(), stage_names.end()) ||
        fields != std::vector<std::string>(op_count_fields.begin(),
                                           op_count_fields.begin() + std::ptrdiff_t(file_fields)))
        throw InputError("op_counts: its stages or fields are not the ones of schema 1");

    std::vector<EpochMetrics> history(epochs);
    for (std::size_t e = 0; e < epochs; ++e) {
        EpochMetrics& m = history[e];
        m.epoch = epoch[e];
        m.train_accuracy = train_acc[e];
        m.test_accuracy = test_acc[e];
        m.train_loss = train_loss[e];
        m.test_loss = test_loss[e];
        m.validation_loss = validation_loss[e];
        m.sample_text = std::move(sample_text[e]);
        m.learning_rate = rate[e];
        m.refreshes = refreshes[e];
        m.simulated_time_s = sim_s[e];
        m.wall_seconds = wall_s[e];
        m.images = images[e];
        m.device_updates.assign(dev.begin() + std::ptrdiff_t(e * dev_layers),
                                dev.begin() + std::ptrdiff_t((e + 1) * dev_layers));
        m.fp_equivalent_updates.assign(fp.begin() + std::ptrdiff_t(e * fp_layers),
                                       fp.begin() + std::ptrdiff_t((e + 1) * fp_layers));
        m.counts.resize(count_layers);
        for (std::size_t k = 0; k < count_layers; ++k)
            for (int s = 0; s < stage_count; ++s) {
                std::array<std::uint64_t, field_count> v{};
                const auto from =
                    counts.begin() +
                    std::ptrdiff_t(((e * count_layers + k) * stage_count + s) * file_fields);
                std::copy(from, from + std::ptrdiff_t(file_fields), v.begin());
                m.counts[k].stage[s] = op_counts_from_values(v.data());
            }
    }
    return history;
}

/// Every dataset below /state, at any depth, becomes the StateArray of its relative path.
void read_state_arrays(hid_t group, const std::string& prefix, int depth, h5::Budget& budget,
                       StateArrays& out) {
    if (depth > max_state_depth) throw InputError("/state is nested too deeply");
    for (const h5::Child& c : h5::children(group, "/state/" + prefix, max_state_arrays)) {
        const std::string path = prefix + c.name;
        if (c.kind == h5::Kind::group) {
            h5::Id sub = h5::open_group(group, c.name);
            read_state_arrays(sub.get(), path + "/", depth + 1, budget, out);
            continue;
        }
        if (out.size() >= max_state_arrays) throw InputError("/state holds too many arrays");
        h5::NumericArray a = h5::read_numeric(group, c.name, budget);
        StateArray s;
        s.shape = std::move(a.shape);
        std::visit(
            [&](auto&& v) {
                if constexpr (std::is_constructible_v<decltype(s.data), decltype(v)>)
                    s.data = std::move(v);
                else
                    throw InputError("/state/" + path + " is " + h5::dtype_name(a.data) +
                                     ", which state arrays never are");
            },
            std::move(a.data));
        h5::Id ds = h5::checked(H5Dopen2(group, c.name.c_str(), H5P_DEFAULT), H5Dclose,
                                "cannot open /state/" + path);
        try {
            s.unit = h5::read_string_attribute(ds.get(), "unit", budget);
        } catch (const InputError& e) {
            throw InputError("/state/" + path + ": " + e.what());
        }
        out.emplace(path, std::move(s));
    }
}

void read_state(hid_t file, h5::Budget& budget, ExperimentState& st) {
    h5::Id g = h5::open_group(file, "/state");
    const hid_t s = g.get();
    try {
        st.step = h5::read_uint64_attribute(s, "step");
        st.position = to_int(h5::read_int64_attribute(s, "position"), "position");
        const std::int64_t correct = h5::read_int64_attribute(s, "correct");
        if (correct < 0 || correct > st.position)
            throw InputError("correct = " + std::to_string(correct) + " is invalid");
        st.correct = correct;
        st.loss_sum = h5::read_double_attribute(s, "loss_sum");
        st.simulated_time_s = h5::read_double_attribute(s, "simulated_time_s");
        st.in_batch = to_int(h5::read_int64_attribute(s, "in_batch"), "in_batch");
    } catch (const InputError& e) {
        throw InputError("/state: " + std::string(e.what()));
    }
    read_state_arrays(s, "", 0, budget, st.arrays);
}

std::vector<Event> read_events(hid_t file, h5::Budget& budget) {
    h5::open_group(file, "/events");
    const std::size_t n = extent(file, "/events/step", 1, 0);
    const auto step = read_exact<std::uint64_t>(file, "/events/step", budget, {n});
    const auto time_s = read_exact<double>(file, "/events/simulated_time_s", budget, {n});
    auto what = h5::read_strings(file, "/events/what", budget);
    if (what.size() != n)
        throw InputError("/events/what has " + std::to_string(what.size()) +
                         " entries, /events/step " + std::to_string(n));
    std::vector<Event> events(n);
    for (std::size_t i = 0; i < n; ++i)
        events[i] = {step[i], time_s[i], std::move(what[i])};
    return events;
}

nlohmann::json read_config(hid_t root, h5::Budget& budget) {
    // Only the JSON here: validate_session() checks it against the schema with the rest.
    return parse_json_text(h5::read_string_attribute(root, "config", budget), "attribute config");
}

ExperimentState decode_file(hid_t file, h5::Budget& budget, SessionInfo& info, bool nested);

/// The comparison runs stored beside the main one; a run inside a run is refused.
std::vector<ComparisonRun> read_comparisons(hid_t file, h5::Budget& budget) {
    std::vector<ComparisonRun> runs;
    h5::Id group = h5::open_group(file, "/comparisons");
    const auto members = h5::children(group.get(), "/comparisons", max_comparison_runs);
    for (std::size_t i = 0; i < members.size(); ++i) {
        const std::string path = "/comparisons/run_" + std::to_string(i);
        if (members[i].name != "run_" + std::to_string(i))
            throw InputError("/comparisons holds " + members[i].name + ", expected run_0..run_" +
                             std::to_string(members.size() - 1));
        h5::NumericArray a = h5::read_numeric(file, path, budget);
        const auto* bytes = std::get_if<std::vector<std::uint8_t>>(&a.data);
        if (!bytes || a.shape.size() != 1)
            throw InputError(path + " is " + h5::dtype_name(a.data) +
                             ", expected a 1-D array of uint8 (a session file's bytes)");
        ComparisonRun run;
        h5::Id ds =
            h5::checked(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose, "cannot open " + path);
        try {
            run.label = h5::read_string_attribute(ds.get(), "label", budget);
            const std::int64_t group = h5::read_int64_attribute(ds.get(), "group");
            if (group < -1 || group > std::int64_t(max_comparison_runs))
                throw InputError("group = " + std::to_string(group) + " is invalid (-1 .. " +
                                 std::to_string(max_comparison_runs) + ")");
            run.group = static_cast<int>(group);
            h5::Id image = h5::open_image(*bytes, path);
            h5::Budget own(bytes->size());
            SessionInfo ignored;
            run.state = decode_file(image.get(), own, ignored, true);
        } catch (const InputError& e) {
            throw InputError(path + ": " + e.what());
        }
        runs.push_back(std::move(run));
    }
    return runs;
}

SessionGui read_gui(hid_t file, h5::Budget& budget) {
    h5::Id g = h5::open_group(file, "/gui");
    SessionGui gui;
    try {
        const std::int64_t hold = h5::read_int64_attribute(g.get(), "heatmap_hold_colour_scale");
        if (hold != 0 && hold != 1)
            throw InputError("attribute heatmap_hold_colour_scale = " + std::to_string(hold) +
                             ", expected 0 (off) or 1 (on)");
        gui.hold_colour_scale = hold == 1;
        gui.heatmap_layer =
            to_int(h5::read_int64_attribute(g.get(), "heatmap_layer"), "heatmap_layer");
        gui.g_max_uS = h5::read_double_attribute(g.get(), "heatmap_g_max_uS");
        gui.w_max = h5::read_double_attribute(g.get(), "heatmap_w_max");
        gui.chi_max_eps = h5::read_double_attribute(g.get(), "heatmap_chi_max_eps");
    } catch (const InputError& e) {
        throw InputError("/gui: " + std::string(e.what()));
    }
    const std::string path = "/gui/pinned_synapses";
    h5::NumericArray a = h5::read_numeric(file, path, budget);
    const auto* v = std::get_if<std::vector<std::int64_t>>(&a.data);
    if (!v || a.shape.size() != 2 || a.shape[1] != 3)
        throw InputError(path + " is " + h5::dtype_name(a.data) + " of rank " +
                         std::to_string(a.shape.size()) +
                         ", expected int64 of shape (n, 3): layer, row, column");
    if (a.shape[0] > max_pinned_synapses)
        throw InputError(path + " holds " + std::to_string(a.shape[0]) +
                         " synapses, expected at most " + std::to_string(max_pinned_synapses));
    for (std::size_t i = 0; i < a.shape[0]; ++i) {
        const std::string row = path + "[" + std::to_string(i) + "]";
        gui.pins.push_back({to_int((*v)[3 * i], row + " layer"),
                            to_int((*v)[3 * i + 1], row + " row"),
                            to_int((*v)[3 * i + 2], row + " column")});
    }
    return gui;
}

/// Reads everything HDF5 holds (upgrading older schemas); validation is the caller's.
ExperimentState decode(const std::string& path, SessionInfo& info) {
    std::uint64_t bytes = 0;
    h5::Id file = h5::open_file(path, "a CrossbarLab session", bytes);
    h5::Budget budget(bytes);
    return decode_file(file.get(), budget, info, false);
}

ExperimentState decode_file(hid_t file, h5::Budget& budget, SessionInfo& info, bool nested) {
    h5::Id root = h5::checked(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose,
                              "is damaged: cannot open its root group");

    if (!h5::has_attribute(root.get(), "format") ||
        h5::read_string_attribute(root.get(), "format", budget) != format_name)
        throw InputError("is an HDF5 file but not a CrossbarLab session (no format attribute \"" +
                         std::string(format_name) + "\")");
    const std::int64_t version = h5::read_int64_attribute(root.get(), "schema_version");
    if (version > session_schema_version)
        throw InputError("written by a newer CrossbarLab (schema " + std::to_string(version) +
                         " > " + std::to_string(session_schema_version) +
                         "); update CrossbarLab to open it");
    if (version < 1)
        throw InputError("schema_version " + std::to_string(version) + " is not a valid schema");

    info.app_version = h5::read_string_attribute(root.get(), "app_version", budget);
    info.created = h5::read_string_attribute(root.get(), "created", budget);
    info.dataset = h5::read_string_attribute(root.get(), "dataset", budget);
    ExperimentState st;
    st.config = read_config(root.get(), budget);
    st.history = read_history(file, budget);
    read_state(file, budget, st);
    st.events = read_events(file, budget);
    if (h5::exists(file, "/comparisons")) {
        if (nested) throw InputError("a comparison run holds comparison runs of its own");
        info.comparisons = read_comparisons(file, budget);
    }
    if (!nested && h5::exists(file, "/gui")) info.gui = read_gui(file, budget);
    // Older schemas are upgraded in memory, one version at a time (docs/session-format.md).
    if (version < 2) upgrade_1_to_2(st);
    if (version < 3) upgrade_2_to_3(st);
    return st;
}

/// How long a child may take to read a session before it is judged stuck: far above the ~1 s a
/// CIFAR-10 CNN session takes on a loaded machine.
constexpr std::chrono::seconds trial_read_limit{60};

/// Reads the file once in a child process (child_process.hpp says why) and refuses it if HDF5
/// crashed or hung there.
void refuse_if_reading_crashes(const std::string& path) {
    const ChildEnd end = run_in_child(
        [&] {
            SessionInfo ignored;
            decode(path, ignored);
        },
        trial_read_limit);
    if (end.how == ChildEnd::How::crashed)
        throw InputError(
            "is damaged: its HDF5 structure made the reader crash" +
            (end.signal ? " (" + std::string(strsignal(end.signal)) + ")" : std::string()) +
            "; nothing was loaded");
    if (end.how == ChildEnd::How::timed_out)
        throw InputError("is damaged: reading it did not finish within " +
                         std::to_string(trial_read_limit.count()) + " s; nothing was loaded");
}

} // namespace

void save_session(const std::string& path, const ExperimentState& state, const SessionInfo& info) {
    h5::silence_errors();
    // A name no other in-memory file of this process has (HDF5 refuses to create an open file).
    static std::atomic<unsigned long long> saves{0};
    const std::string label = "crossbarlab-session-in-memory-" + std::to_string(::getpid()) + "-" +
                              std::to_string(saves.fetch_add(1));
    h5::FileImage image;
    try {
        image = encode(label, state, info);
    } catch (const InputError& e) {
        throw InputError("cannot save " + path + ": " + e.what());
    } catch (const std::bad_alloc&) {
        throw InputError("cannot save " + path + ": not enough memory");
    }
    // HDF5 keeps the blocks of every object header it freed on its own free lists, sized for the
    // largest dataset so far; a history that grows each epoch made them grow with every autosave
    // (issue 20's soak). Give them back.
    H5garbage_collect();
    write_file_atomically(path, image.bytes());
}

ExperimentState load_session(const std::string& path, SessionInfo* info) {
    h5::silence_errors();
    try {
        refuse_if_reading_crashes(path);
        SessionInfo read_info;
        ExperimentState st = decode(path, read_info);
        validate_session(st);
        for (std::size_t i = 0; i < read_info.comparisons.size(); ++i)
            try {
                validate_session(read_info.comparisons[i].state);
            } catch (const InputError& e) {
                throw InputError("/comparisons/run_" + std::to_string(i) + ": " + e.what());
            }
        if (read_info.gui) validate_session_gui(*read_info.gui, st);
        if (info) *info = std::move(read_info);
        return st;
    } catch (const InputError& e) {
        throw InputError(path + ": " + e.what());
    } catch (const std::bad_alloc&) {
        throw InputError(path + ": not enough memory to load it");
    }
}

} // namespace cbl
