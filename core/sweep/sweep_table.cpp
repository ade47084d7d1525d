#include "core/sweep/sweep_table.hpp"

#include "core/common/param_error.hpp"
#include "core/session/atomic_file.hpp"
#include "core/session/csv_export.hpp"

#include <algorithm>
#include <cmath>

namespace cbl {

namespace {

using Reduce = SweepMetric::Reduce;

/// The summary keys of CLI.md worth mapping, with what to make of their lists.
const std::vector<SweepMetric>& known_metrics() {
    static const std::vector<SweepMetric> metrics = {
        {"test_accuracy", Reduce::max, 100, "best test accuracy", "%"},
        {"test_accuracy", Reduce::last, 100, "final test accuracy", "%"},
        {"train_accuracy", Reduce::last, 100, "final train accuracy", "%"},
        // Seed 002 Fig. 4C plots the best training accuracy beside the best test accuracy.
        {"train_accuracy", Reduce::max, 100, "best train accuracy", "%"},
        {"test_loss", Reduce::min, 1, "lowest test loss", "nat"},
        {"train_loss", Reduce::last, 1, "final train loss", "nat"},
        {"device_updates", Reduce::sum, 1, "device updates", "pulses"},
        {"fp_equivalent_updates", Reduce::sum, 1, "full-precision updates", "weight changes"},
        {"refreshes", Reduce::sum, 1, "refreshes", "device pairs"},
        {"energy_nJ_per_image.total", Reduce::value, 1, "energy per image", "nJ"},
        {"energy_nJ_per_image.forward", Reduce::value, 1, "forward energy per image", "nJ"},
        {"energy_nJ_per_image.backward", Reduce::value, 1, "backward energy per image", "nJ"},
        {"energy_nJ_per_image.update", Reduce::value, 1, "update energy per image", "nJ"},
        {"time_us_per_image.total", Reduce::value, 1, "modelled time per image", "µs"},
        {"test_bpc", Reduce::min, 1, "best test bits per character", "bit/char"},
        {"validation_bpc", Reduce::min, 1, "best validation bits per character", "bit/char"},
        {"train_bpc", Reduce::last, 1, "final train bits per character", "bit/char"},
        {"frechet_distance", Reduce::min, 1, "best Fréchet distance", "feature units"},
        {"mean_reward_100", Reduce::value, 1, "mean reward of the last 100 episodes", "reward"},
        {"episode_reward", Reduce::max, 1, "best episode reward", "reward"},
        {"episodes", Reduce::value, 1, "episodes", "episodes"},
        {"energy_ratio.vs_gpu", Reduce::value, 1, "energy saved against a GPU", "×"},
        {"energy_ratio.vs_dadiannao", Reduce::value, 1, "energy saved against DaDianNao", "×"},
        {"diverged", Reduce::value, 100, "diverged runs", "%"},
        {"epochs", Reduce::value, 1, "epochs run", "epochs"},
        {"images_trained", Reduce::value, 1, "images trained", "images"},
        {"simulated_time_s", Reduce::value, 1, "simulated device time", "s"},
        {"images_per_second", Reduce::value, 1, "simulator throughput", "images/s"},
        {"wall_seconds", Reduce::value, 1, "wall-clock time", "s"},
    };
    return metrics;
}

/// The value at "a.b" in `j`, or nullptr.
const nlohmann::json* field(const nlohmann::json& j, const std::string& key) {
    const nlohmann::json* at = &j;
    std::size_t from = 0;
    while (true) {
        const std::size_t dot = key.find('.', from);
        const std::string part = key.substr(from, dot == std::string::npos ? dot : dot - from);
        if (!at->is_object() || !at->contains(part)) return nullptr;
        at = &(*at)[part];
        if (dot == std::string::npos) return at;
        from = dot + 1;
    }
}

/// Adds up every number of a (nested) list; false when something else is in it.
bool add_up(const nlohmann::json& j, double& total) {
    if (j.is_number()) {
        total += j.get<double>();
        return true;
    }
    if (!j.is_array()) return false;
    for (const auto& e : j)
        if (!add_up(e, total)) return false;
    return true;
}

std::optional<double> reduce(const nlohmann::json& j, Reduce how) {
    if (how == Reduce::value) {
        if (j.is_boolean()) return j.get<bool>() ? 1.0 : 0.0;
        if (j.is_number()) return j.get<double>();
        return std::nullopt;
    }
    if (!j.is_array() || j.empty()) return std::nullopt;
    if (how == Reduce::sum) {
        double total = 0;
        return add_up(j, total) ? std::optional(total) : std::nullopt;
    }
    if (how == Reduce::last)
        return j.back().is_number() ? std::optional(j.back().get<double>()) : std::nullopt;
    // A diverged epoch's NaN is written as null: the best of the others.
    std::optional<double> best;
    for (const auto& e : j)
        if (e.is_number()) {
            const double v = e.get<double>();
            if (!best || (how == Reduce::max ? v > *best : v < *best)) best = v;
        }
    return best;
}

std::pair<std::string, std::string> split_override(const std::string& o) {
    const auto eq = o.find('=');
    if (eq == std::string::npos) return {o, ""};
    return {o.substr(0, eq), o.substr(eq + 1)};
}

/// The cell index of a point (its values' positions, the first axis slowest).
std::size_t cell_of(const SweepPoint& p, const std::vector<GridAxis>& axes) {
    std::size_t index = 0;
    for (std::size_t k = 0; k < axes.size(); ++k) {
        const auto& values = axes[k].values;
        const std::string value = split_override(p.overrides[k]).second;
        index = index * values.size() +
                std::size_t(std::find(values.begin(), values.end(), value) - values.begin());
    }
    return index;
}

} // namespace

std::optional<double> metric_value(const nlohmann::json& summary, const SweepMetric& metric) {
    const nlohmann::json* j = field(summary, metric.key);
    if (!j) return std::nullopt;
    const std::optional<double> v = reduce(*j, metric.reduce);
    if (!v || !std::isfinite(*v * metric.scale)) return std::nullopt;
    return *v * metric.scale;
}

std::vector<SweepMetric> sweep_metrics(const std::vector<SweepPoint>& points) {
    std::vector<SweepMetric> out;
    const auto offered = [&](const SweepMetric& m) {
        return std::any_of(points.begin(), points.end(), [&](const SweepPoint& p) {
            return !p.summary.is_null() && metric_value(p.summary, m).has_value();
        });
    };
    for (const SweepMetric& m : known_metrics())
        if (offered(m)) out.push_back(m);
    // A number a newer summary has and this list does not know yet, under its own key.
    for (const SweepPoint& p : points) {
        if (!p.summary.is_object()) continue;
        for (const auto& [key, value] : p.summary.items())
            if (value.is_number() &&
                std::none_of(known_metrics().begin(), known_metrics().end(),
                             [&](const SweepMetric& m) { return m.key == key; }) &&
                std::none_of(out.begin(), out.end(),
                             [&](const SweepMetric& m) { return m.key == key; }))
                out.push_back({key, Reduce::value, 1, key, ""});
    }
    return out;
}

const SweepCell& SweepTable::at(const std::vector<std::size_t>& index) const {
    std::size_t i = 0;
    for (std::size_t k = 0; k < axes.size(); ++k)
        i = i * axes[k].values.size() + index.at(k);
    return cells.at(i);
}

std::vector<GridAxis> sweep_axes(const std::vector<SweepPoint>& points) {
    std::vector<GridAxis> axes;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const std::vector<std::string>& o = points[i].overrides;
        const std::string at = "point " + std::to_string(i + 1);
        if (o.empty() || split_override(o.back()).first != "training.seed")
            throw InputError(at + ": its overrides do not end with training.seed");
        if (i == 0)
            for (std::size_t k = 0; k + 1 < o.size(); ++k)
                axes.push_back({split_override(o[k]).first, {}});
        if (o.size() != axes.size() + 1)
            throw InputError(at + " sweeps " + std::to_string(o.size() - 1) +
                             " parameters, point 1 sweeps " + std::to_string(axes.size()));
        for (std::size_t k = 0; k < axes.size(); ++k) {
            const auto [key, value] = split_override(o[k]);
            if (key != axes[k].key)
                throw InputError(at + " sweeps " + key + " where point 1 sweeps " + axes[k].key);
            auto& values = axes[k].values;
            if (std::find(values.begin(), values.end(), value) == values.end())
                values.push_back(value);
        }
    }
    return axes;
}

SweepTable aggregate_sweep(const std::vector<SweepPoint>& points, const SweepMetric& metric) {
    SweepTable t{sweep_axes(points), {}};
    std::size_t cells = 1;
    for (const GridAxis& a : t.axes)
        cells *= a.values.size();
    t.cells.resize(cells);
    std::vector<std::vector<double>> values(cells);
    for (const SweepPoint& p : points) {
        const std::size_t c = cell_of(p, t.axes);
        ++t.cells[c].planned;
        if (const auto v = metric_value(p.summary, metric)) values[c].push_back(*v);
    }
    for (std::size_t c = 0; c < cells; ++c) {
        SweepCell& cell = t.cells[c];
        const std::vector<double>& v = values[c];
        cell.n = v.size();
        if (v.empty()) continue;
        double sum = 0;
        for (const double x : v)
            sum += x;
        cell.mean = sum / double(v.size());
        double squares = 0;
        for (const double x : v)
            squares += (x - cell.mean) * (x - cell.mean);
        cell.stddev = v.size() > 1 ? std::sqrt(squares / double(v.size() - 1)) : 0.0;
    }
    return t;
}

std::string sweep_csv(const std::vector<SweepPoint>& points,
                      const std::vector<SweepMetric>& metrics) {
    // A metric no summary has gives the grid and the seeds each cell plans.
    const SweepTable grid = aggregate_sweep(points, SweepMetric{});
    const std::vector<GridAxis>& axes = grid.axes;
    std::vector<SweepTable> tables;
    for (const SweepMetric& m : metrics)
        tables.push_back(aggregate_sweep(points, m));
    std::string out;
    for (const GridAxis& a : axes)
        out += csv_field(a.key) + ',';
    out += "seeds planned";
    for (const SweepMetric& m : metrics) {
        const std::string name = m.label + (m.unit.empty() ? "" : " [" + m.unit + "]");
        out += ',' + csv_field(name + " mean") + ',' + csv_field(name + " std") + ',' +
               csv_field(name + " n");
    }
    out += '\n';
    for (std::size_t c = 0; c < grid.cells.size(); ++c) {
        // The first axis slowest: decode the cell's value of each axis from the last.
        std::vector<std::string> row(axes.size());
        for (std::size_t k = axes.size(), rest = c; k-- > 0; rest /= axes[k].values.size())
            row[k] = axes[k].values[rest % axes[k].values.size()];
        for (const std::string& v : row)
            out += csv_field(v) + ',';
        append_number(out, grid.cells[c].planned);
        for (const SweepTable& t : tables) {
            const SweepCell& cell = t.cells[c];
            out += ',';
            if (cell.n > 0) append_number(out, cell.mean);
            out += ',';
            if (cell.n > 1) append_number(out, cell.stddev);
            out += ',';
            append_number(out, cell.n);
        }
        out += '\n';
    }
    return out;
}

} // namespace cbl
