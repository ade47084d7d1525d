#include "core/experiment/memory_estimate.hpp"

#include "core/common/param_error.hpp"
#include "core/training/scheme_factory.hpp"

#include <unistd.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

namespace cbl {
namespace {

/// Bytes per synapse of the arrays a layer of this scheme saves per synapse (weights,
/// conductance planes, pulse times, chi, counters), measured on a small probe layer, so a new
/// scheme or device is counted without a table here.
template <typename Scalar>
double saved_bytes_per_synapse(const ExperimentConfig& c) {
    constexpr int rows = 8, cols = 16;
    constexpr std::size_t n = std::size_t(rows) * cols;
    const auto layers = make_layers<Scalar>({{rows, cols}}, c.scheme, c.tile, c.training.seed,
                                            c.training.seconds_per_image);
    StateArrays arrays;
    layers.front()->save_state("probe/", arrays);
    double bytes = 0;
    for (const auto& [path, a] : arrays)
        std::visit(
            [&](const auto& v) {
                if (v.size() >= n && v.size() % n == 0) bytes += double(v.size() * sizeof(v[0]));
            },
            a.data);
    return bytes / double(n);
}

std::string gigabytes(double bytes) {
    std::ostringstream s;
    s.precision(bytes < 1e10 ? 2 : 3);
    s << bytes / 1e9 << " GB";
    return s.str();
}

} // namespace

MemoryEstimate estimate_memory(const ExperimentConfig& c,
                               const std::vector<std::pair<int, int>>& shapes,
                               const DataSplit& data) {
    MemoryEstimate m;
    const bool fp64 = c.training.precision == "fp64";
    const double scalar = fp64 ? sizeof(double) : sizeof(float);
    const auto& o = c.training.optimizer;
    // The digital optimizer's per-weight state (velocity, Adam's two moments) and a mini-batch's
    // pending gradient live outside the weight layer.
    const double optimizer = o.type == "adam" ? 2 : o.type == "momentum" ? 1 : 0;
    m.bytes_per_synapse =
        (fp64 ? saved_bytes_per_synapse<double>(c) : saved_bytes_per_synapse<float>(c)) +
        scalar * (optimizer + (c.training.batch_size > 1 ? 1 : 0));
    double widths = 0;
    for (const auto& [rows, cols] : shapes) {
        m.synapses += double(rows) * double(cols);
        widths += double(rows) + double(cols);
    }
    // Three copies at an epoch's end: the live state (its read caches are smaller than its saved
    // planes), the last good state kept by the divergence guard and the new one being checked.
    m.state_bytes = 3 * m.synapses * m.bytes_per_synapse;
    // Inputs and outputs of every matrix for a training batch and for the 256-sample evaluation
    // chunk each thread works on.
    const double threads = std::max(1u, std::thread::hardware_concurrency());
    m.activation_bytes = 2 * widths * scalar * (c.training.batch_size + 256 * threads);
    for (const Dataset* d : {&data.train, &data.test})
        m.dataset_bytes += double(d->images.size()) * sizeof(float) + double(d->labels.size());
    return m;
}

double available_memory() {
    std::ifstream in("/proc/meminfo");
    std::string key;
    double kb = 0;
    std::string unit;
    while (in >> key >> kb >> unit)
        if (key == "MemAvailable:") return kb * 1024;
    const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? double(pages) * double(page) : 0;
}

void require_memory(const ExperimentConfig& c, const std::vector<std::pair<int, int>>& shapes,
                    const DataSplit& data) {
    const MemoryEstimate m = estimate_memory(c, shapes, data);
    const double available = available_memory();
    // The dataset is in memory already (MemAvailable no longer counts it).
    if (available <= 0 || m.state_bytes + m.activation_bytes <= available) return;
    std::ostringstream synapses;
    synapses.precision(3);
    synapses << m.synapses;
    throw InputError("the network does not fit in memory: about " + gigabytes(m.total()) +
                     " needed (" + synapses.str() + " synapses x " +
                     format_number(std::round(m.bytes_per_synapse)) +
                     " bytes x 3 copies = " + gigabytes(m.state_bytes) + ", activations " +
                     gigabytes(m.activation_bytes) + ", dataset " + gigabytes(m.dataset_bytes) +
                     ") but " + gigabytes(available) + " is available; make " +
                     (c.network.graph.empty() ? "network.layers" : "network.graph") + " smaller");
}

} // namespace cbl
