#include "core/sweep/sweep.hpp"

#include "core/common/param_error.hpp"
#include "core/experiment/config.hpp"
#include "core/session/atomic_file.hpp"
#include "core/session/hdf5_io.hpp"

#include <oneapi/tbb/parallel_for_each.h>

#include <charconv>
#include <cmath>
#include <mutex>
#include <sstream>
#include <system_error>

namespace cbl {

namespace {

constexpr std::int64_t sweep_format_version = 1;
constexpr std::size_t max_points = 100000;

double parse_number(const std::string& text, const std::string& context) {
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
        throw InputError(context + ": '" + text + "' is not a finite number");
    return v;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> parts;
    std::stringstream in(s);
    for (std::string part; std::getline(in, part, sep);)
        parts.push_back(part);
    if (!s.empty() && s.back() == sep) parts.emplace_back();
    return parts;
}

/// A number as --set takes it: whole numbers without a decimal point (integer fields refuse
/// 5.0), others to 12 significant digits (a range's 0.30000000000000004 is the 0.3 meant).
std::string value_text(double v) {
    if (v == std::round(v) && std::abs(v) < 1e15) return std::to_string(static_cast<long long>(v));
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 12);
    return std::string(buf, ec == std::errc() ? end : buf);
}

} // namespace

GridAxis parse_grid_axis(const std::string& spec) {
    const std::string context = "--grid " + spec;
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0)
        throw InputError(context + ": expected KEY=v1,v2,... or KEY=start:stop:count[:log]");
    GridAxis axis{spec.substr(0, eq), {}};
    const std::string rhs = spec.substr(eq + 1);
    if (rhs.find(':') != std::string::npos) {
        const std::vector<std::string> p = split(rhs, ':');
        if (p.size() < 3 || p.size() > 4 || (p.size() == 4 && p[3] != "log"))
            throw InputError(context + ": a range is start:stop:count or start:stop:count:log");
        const double a = parse_number(p[0], context), b = parse_number(p[1], context);
        const double n = parse_number(p[2], context);
        if (n != std::round(n) || n < 1 || n > double(max_points))
            throw InputError(context + ": count = " + p[2] + " is out of range; allowed 1 .. " +
                             std::to_string(max_points));
        const bool log = p.size() == 4;
        if (log && (a <= 0 || b <= 0))
            throw InputError(context + ": a log range needs start and stop above 0");
        const int count = int(n);
        for (int i = 0; i < count; ++i) {
            const double t = count == 1 ? 0.0 : double(i) / (count - 1);
            axis.values.push_back(value_text(log ? a * std::pow(b / a, t) : a + (b - a) * t));
        }
    } else {
        for (const std::string& v : split(rhs, ','))
            if (!v.empty()) axis.values.push_back(v);
    }
    if (axis.values.empty()) throw InputError(context + ": no values");
    return axis;
}

std::vector<std::uint64_t> parse_seeds(const std::string& spec) {
    const std::string context = "--seeds " + spec;
    const auto whole = [&](const std::string& t) {
        std::uint64_t v = 0;
        const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        if (t.empty() || ec != std::errc() || end != t.data() + t.size())
            throw InputError(context + ": '" + t + "' is not a whole number >= 0");
        return v;
    };
    std::vector<std::uint64_t> seeds;
    for (const std::string& part : split(spec, ',')) {
        const auto dash = part.find('-');
        if (dash == std::string::npos) {
            seeds.push_back(whole(part));
            continue;
        }
        const std::uint64_t lo = whole(part.substr(0, dash)), hi = whole(part.substr(dash + 1));
        if (hi < lo || hi - lo >= max_points)
            throw InputError(context + ": the range " + part + " is empty or too long");
        for (std::uint64_t s = lo; s <= hi; ++s)
            seeds.push_back(s);
    }
    if (seeds.empty()) throw InputError(context + ": no seeds");
    return seeds;
}

std::vector<SweepPoint> expand_grid(const nlohmann::json& base, const std::vector<GridAxis>& axes,
                                    const std::vector<std::uint64_t>& seeds) {
    std::size_t total = seeds.size();
    for (const GridAxis& a : axes) {
        total *= a.values.size();
        if (total > max_points)
            throw InputError("the grid has more than " + std::to_string(max_points) + " points");
    }
    std::vector<SweepPoint> points;
    points.reserve(total);
    std::vector<std::size_t> at(axes.size(), 0);
    for (std::size_t i = 0; i < total / seeds.size(); ++i) {
        for (const std::uint64_t seed : seeds) {
            SweepPoint p;
            for (std::size_t k = 0; k < axes.size(); ++k)
                p.overrides.push_back(axes[k].key + "=" + axes[k].values[at[k]]);
            p.overrides.push_back("training.seed=" + std::to_string(seed));
            nlohmann::json j = base;
            std::string named;
            for (const std::string& o : p.overrides)
                named += (named.empty() ? "" : ", ") + o;
            try {
                for (const std::string& o : p.overrides)
                    apply_override(j, o);
                // Validated as a preset is; the stored config is the parsed one, so every
                // point carries every field.
                p.config = j.get<ExperimentConfig>();
            } catch (const InputError& e) {
                throw InputError("sweep point (" + named + "): " + e.what());
            }
            points.push_back(std::move(p));
        }
        // Next combination, the last axis fastest.
        for (std::size_t k = axes.size(); k-- > 0;) {
            if (++at[k] < axes[k].values.size()) break;
            at[k] = 0;
        }
    }
    return points;
}

void save_sweep(const std::string& path, const std::vector<SweepPoint>& points) {
    std::vector<std::string> configs, overrides, summaries;
    for (const SweepPoint& p : points) {
        configs.push_back(p.config.dump());
        std::string o;
        for (const std::string& s : p.overrides)
            o += (o.empty() ? "" : " ") + s;
        overrides.push_back(o);
        summaries.push_back(p.summary.is_null() ? "" : p.summary.dump());
    }
    h5::MemoryFile file("sweep:" + path);
    h5::write_attribute(file.get(), "format", std::string("crossbarlab-sweep"));
    h5::write_attribute(file.get(), "format_version", sweep_format_version);
    h5::write_strings(file.get(), "points/overrides", overrides);
    h5::write_strings(file.get(), "points/config", configs);
    // Empty for a point that has not run yet.
    h5::write_strings(file.get(), "points/summary", summaries);
    write_file_atomically(path, file.close().bytes());
}

std::vector<SweepPoint> load_sweep(const std::string& path) {
    try {
        h5::silence_errors();
        std::uint64_t bytes = 0;
        const h5::Id file = h5::open_file(path, "a CrossbarLab sweep", bytes);
        const h5::Id root = h5::checked(H5Gopen2(file.get(), "/", H5P_DEFAULT), H5Gclose,
                                        "is damaged: cannot open its root group");
        h5::Budget budget(bytes);
        if (!h5::has_attribute(root.get(), "format") ||
            h5::read_string_attribute(root.get(), "format", budget) != "crossbarlab-sweep")
            throw InputError("is an HDF5 file but not a CrossbarLab sweep");
        const std::int64_t version = h5::read_int64_attribute(root.get(), "format_version");
        if (version != sweep_format_version)
            throw InputError("has format_version " + std::to_string(version) +
                             "; this build reads " + std::to_string(sweep_format_version));
        const auto overrides = h5::read_strings(root.get(), "points/overrides", budget);
        const auto configs = h5::read_strings(root.get(), "points/config", budget);
        const auto summaries = h5::read_strings(root.get(), "points/summary", budget);
        if (configs.size() != overrides.size() || summaries.size() != overrides.size())
            throw InputError("has " + std::to_string(overrides.size()) + " overrides, " +
                             std::to_string(configs.size()) + " configs and " +
                             std::to_string(summaries.size()) + " summaries");
        std::vector<SweepPoint> points(overrides.size());
        for (std::size_t i = 0; i < points.size(); ++i) {
            const std::string at = "point " + std::to_string(i + 1);
            points[i].overrides = split(overrides[i], ' ');
            points[i].config = nlohmann::json::parse(configs[i], nullptr, false);
            if (!points[i].config.is_object()) throw InputError(at + " has a malformed config");
            if (summaries[i].empty()) continue;
            points[i].summary = nlohmann::json::parse(summaries[i], nullptr, false);
            if (!points[i].summary.is_object()) throw InputError(at + " has a malformed summary");
        }
        return points;
    } catch (const InputError& e) {
        throw InputError("sweep file " + path + " " + e.what());
    }
}

void merge_sweep(std::vector<SweepPoint>& into, const std::vector<SweepPoint>& from,
                 const std::string& name) {
    if (from.size() != into.size())
        throw InputError(name + " holds " + std::to_string(from.size()) + " points, this sweep " +
                         std::to_string(into.size()) +
                         ": it was made with another grid, preset or seeds");
    for (std::size_t i = 0; i < into.size(); ++i) {
        if (from[i].config != into[i].config)
            throw InputError(name + ": point " + std::to_string(i + 1) +
                             " has another config; it was made by another sweep");
        if (into[i].summary.is_null()) into[i].summary = from[i].summary;
    }
}

void resume_sweep(const std::string& path, std::vector<SweepPoint>& points) {
    merge_sweep(points, load_sweep(path), "sweep file " + path);
}

Shard parse_shard(const std::string& spec) {
    const std::string context = "--shard " + spec;
    const auto slash = spec.find('/');
    Shard s;
    const auto whole = [&](const std::string& t) {
        std::size_t v = 0;
        const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        if (t.empty() || ec != std::errc() || end != t.data() + t.size())
            throw InputError(context + ": expected i/n, e.g. 2/4");
        return v;
    };
    if (slash == std::string::npos) throw InputError(context + ": expected i/n, e.g. 2/4");
    s.index = whole(spec.substr(0, slash));
    s.count = whole(spec.substr(slash + 1));
    if (s.count < 1 || s.count > max_points || s.index < 1 || s.index > s.count)
        throw InputError(context + ": i must be 1 .. n and n 1 .. " + std::to_string(max_points));
    return s;
}

std::vector<std::size_t> points_to_run(const std::vector<SweepPoint>& points, const Shard& shard) {
    std::vector<std::size_t> todo;
    for (std::size_t i = 0; i < points.size(); ++i)
        if (shard.owns(i) && points[i].summary.is_null()) todo.push_back(i);
    return todo;
}

void run_sweep(std::vector<SweepPoint>& points, const std::vector<std::size_t>& todo,
               const std::function<nlohmann::json(const nlohmann::json& config)>& run,
               const std::function<void()>& finished) {
    std::mutex mutex;
    tbb::parallel_for_each(todo.begin(), todo.end(), [&](std::size_t i) {
        nlohmann::json summary = run(points[i].config);
        std::lock_guard lock(mutex);
        points[i].summary = std::move(summary);
        finished();
    });
}

} // namespace cbl
