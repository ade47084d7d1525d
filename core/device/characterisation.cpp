#include "core/device/characterisation.hpp"

#include "core/common/param_error.hpp"
#include "core/common/rng.hpp"
#include "core/device/device_physics.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace cbl {

namespace {

// 5-point Gauss-Hermite rule for a standard normal: averages over the device-to-device factor.
constexpr std::array<double, 5> gh_nodes{-2.856970013872806, -1.355626179974266, 0.0,
                                         1.355626179974266, 2.856970013872806};
constexpr std::array<double, 5> gh_weights{0.011257411327721, 0.222075922005613, 0.533333333333333,
                                           0.222075922005613, 0.011257411327721};

double normal_cdf(double z) {
    return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

// Mass of N(mean, std) on each grid node's cell; cells beyond the window's ends collect the
// clipped tails (the model clips G to [g_min, g_max]).
void spread_normal(double mean, double std, double lo, double h, int m, double mass,
                   std::vector<double>& out) {
    if (std <= 0) {
        const int i = std::clamp(int(std::lround((mean - lo) / h)), 0, m - 1);
        out[i] += mass;
        return;
    }
    const int first = std::clamp(int(std::floor((mean - 8 * std - lo) / h)), 0, m - 1);
    const int last = std::clamp(int(std::ceil((mean + 8 * std - lo) / h)), 0, m - 1);
    double below = first == 0 ? 0.0 : normal_cdf((lo + (first - 0.5) * h - mean) / std);
    for (int i = first; i <= last; ++i) {
        const double upper = i == m - 1 ? 1.0 : normal_cdf((lo + (i + 0.5) * h - mean) / std);
        out[i] += mass * ((i == first ? upper : upper - below));
        below = upper;
    }
}

} // namespace

void CharacterisationOptions::validate() const {
    require_range("device.devices", devices, 1, 1e6);
    require_range("device.pulses", pulses, 1, 1000, "pulses");
    require_range("device.init_uS", init_uS, 0, 1000, "uS");
    require_range("device.init_std_uS", init_std_uS, 0, 100, "uS");
    require_range("device.histogram_after", histogram_after, 1, pulses, "pulses");
    require_range("device.histogram_bins", histogram_bins, 1, 10000);
    for (const double t : drift_times_s)
        require_above("device.drift_times_s", t, 0, 1e12, "s");
    require_range("device.traces", traces, 0, devices);
    require_range("device.reads_per_pulse", reads_per_pulse, 1, 10000);
}

PcmExpectation pcm_expectation(const PcmParams& p, const CharacterisationOptions& o,
                               const std::vector<double>& edges_uS) {
    // Density evolution: the mass on a fine conductance grid is pushed through
    // G' = clip(G + N(mu(G, n) s, sigma(G, n) t)) pulse by pulse, for each quadrature value of
    // the device's factors s = 1 + mu_d2d z and t = 1 + sigma_d2d z' (z, z' independent; t = 1
    // without a spread of sigma, one node).
    const int m = 801;
    const double lo = p.g_min_uS, h = (p.g_max_uS - p.g_min_uS) / (m - 1);
    const int n_pulses = o.pulses;
    PcmExpectation e;
    e.mean_uS.assign(n_pulses, 0.0);
    std::vector<double> second(n_pulses, 0.0), read_var(n_pulses, 0.0);
    e.histogram_mass.assign(edges_uS.empty() ? 0 : edges_uS.size() - 1, 0.0);
    const std::size_t sigma_nodes = p.sigma_d2d > 0 ? gh_nodes.size() : 1;
    for (std::size_t qr = 0; qr < gh_nodes.size() * sigma_nodes; ++qr) {
        const std::size_t q = qr / sigma_nodes, r = qr % sigma_nodes;
        const double scale = pcm_mu_scale(p, gh_nodes[q]);
        const double sigma_scale = sigma_nodes > 1 ? pcm_sigma_scale(p, gh_nodes[r]) : 1.0;
        const double weight = gh_weights[q] * (sigma_nodes > 1 ? gh_weights[r] : 1.0);
        std::vector<double> mass(m, 0.0), next(m);
        spread_normal(o.init_uS, o.init_std_uS, lo, h, m, 1.0, mass);
        for (int k = 0; k < n_pulses; ++k) {
            const double history = pcm_history(p, k + 1); // pulse k + 1 since RESET
            std::fill(next.begin(), next.end(), 0.0);
            for (int i = 0; i < m; ++i) {
                if (mass[i] < 1e-14) continue;
                const double g = lo + i * h;
                spread_normal(g + pcm_set_mean_uS(p, g, history) * scale,
                              pcm_set_std_uS(p, g, history) * sigma_scale, lo, h, m, mass[i], next);
            }
            mass.swap(next);
            for (int i = 0; i < m; ++i) {
                const double g = lo + i * h, w = weight * mass[i];
                e.mean_uS[k] += w * g;
                second[k] += w * g * g;
                read_var[k] += w * std::pow(pcm_read_std_uS(p, g), 2);
            }
            if (k + 1 == o.histogram_after)
                for (int i = 0; i < m; ++i) {
                    const double g = lo + i * h;
                    const auto it = std::upper_bound(edges_uS.begin(), edges_uS.end(), g);
                    if (it == edges_uS.begin() || it == edges_uS.end()) continue;
                    e.histogram_mass[std::size_t(it - edges_uS.begin()) - 1] += weight * mass[i];
                }
        }
    }
    e.std_uS.resize(n_pulses);
    for (int k = 0; k < n_pulses; ++k) {
        const double var = second[k] - e.mean_uS[k] * e.mean_uS[k];
        e.std_uS[k] = std::sqrt(std::max(0.0, var + (o.read_noise ? read_var[k] : 0.0)));
    }
    return e;
}

CharacterisationResult characterise_device(const DeviceParams& p,
                                           const CharacterisationOptions& o) {
    p.validate();
    o.validate();
    const DevicePhysics physics(p);
    const int n_dev = o.devices, n_pulses = o.pulses;
    const CounterRng init(o.seed, RngStream::init), program(o.seed, RngStream::program),
        variability(o.seed, RngStream::variability), drift(o.seed, RngStream::drift),
        read(o.seed, RngStream::characterise);
    // g_true[k][d]: conductance right after pulse k+1 (= its read value at T0, where the drift
    // factor is 1); g_read adds one read's noise.
    std::vector<std::vector<float>> g_true(n_pulses, std::vector<float>(n_dev)),
        g_read(n_pulses, std::vector<float>(n_dev));
    std::vector<float> nu(n_dev), g_start(n_dev);
    tbb::parallel_for(tbb::blocked_range<int>(0, n_dev, 256), [&](const auto& range) {
        for (int d = range.begin(); d < range.end(); ++d) {
            const auto dev = std::uint32_t(d);
            // The device's fixed draws (PCM: its factors on the SET mean and spread; RRAM: A,
            // Gmax).
            const r123::double2 draws = variability.normal2(0, dev);
            const auto d2d = [&] { return draws; };
            nu[d] = float(physics.drift_exponent(drift.normal(0, dev)));
            double g = std::clamp(o.init_uS + o.init_std_uS * init.normal(0, dev),
                                  physics.g_min_uS(), physics.g_max_uS());
            g_start[d] = float(g);
            int n = 0; // pulses since the last RESET, counted by the family's own rule
            for (int k = 0; k < n_pulses; ++k) {
                const auto z = [&](int) { return program.normal(std::uint64_t(k), dev); };
                g = physics.pulse_train_uS(g, n, n_pulses, true, 1, d2d, z);
                g_true[k][d] = float(g);
                const double noise =
                    o.read_noise ? physics.read_sigma_uS(g) * read.normal(std::uint64_t(k), dev)
                                 : 0;
                g_read[k][d] = float(g + noise);
            }
        }
    });

    CharacterisationResult r;
    r.family = p.family();
    r.options = o;
    for (const float g : g_start)
        r.start_mean_uS += g;
    r.start_mean_uS /= n_dev;
    for (int k = 0; k < n_pulses; ++k) {
        double s = 0, s2 = 0;
        for (const float g : g_read[k]) {
            s += g;
            s2 += double(g) * g;
        }
        const double mean = s / n_dev;
        r.pulses.push_back(k + 1);
        r.mean_uS.push_back(mean);
        r.std_uS.push_back(
            std::sqrt(std::max(0.0, (s2 - n_dev * mean * mean) / std::max(1, n_dev - 1))));
    }

    const auto& hist = g_read[o.histogram_after - 1];
    const auto [mn, mx] = std::minmax_element(hist.begin(), hist.end());
    const double width = std::max(1e-9, double(*mx - *mn)) / o.histogram_bins;
    for (int b = 0; b <= o.histogram_bins; ++b)
        r.histogram_edges_uS.push_back(*mn + b * width);
    r.histogram_counts.assign(o.histogram_bins, 0);
    for (const float g : hist)
        ++r.histogram_counts[std::min(o.histogram_bins - 1, int((g - *mn) / width))];

    if (const auto* pcm = std::get_if<PcmParams>(&p.model)) {
        // The model's histogram is noise-free; with read noise the sample is slightly wider.
        const PcmExpectation e = pcm_expectation(*pcm, o, r.histogram_edges_uS);
        r.model_mean_uS = e.mean_uS;
        r.model_std_uS = e.std_uS;
        for (const double m : e.histogram_mass)
            r.histogram_model_counts.push_back(m * n_dev);
        for (int k = 0; k < n_pulses; ++k) {
            r.mean_curve_uS.push_back(pcm_published_mean_uS(k + 1, pcm->g_max_uS));
            if (k + 1 >= mean_curve_first_pulse)
                r.max_curve_rel_error = std::max(r.max_curve_rel_error,
                                                 std::abs(r.mean_uS[k] / r.mean_curve_uS[k] - 1));
            r.max_mean_rel_error =
                std::max(r.max_mean_rel_error, std::abs(r.mean_uS[k] / e.mean_uS[k] - 1));
            r.max_std_rel_error =
                std::max(r.max_std_rel_error, std::abs(r.std_uS[k] / e.std_uS[k] - 1));
        }
    }

    // Fig. 2C: the drift re-initiates at every pulse, so state k drifts as G_k (t / T0)^-nu
    // (a family without drift has nu = 0, factor 1: flat curves).
    r.drift_times_s = o.drift_times_s;
    r.drift_mean_uS.assign(n_pulses, std::vector<double>(o.drift_times_s.size(), 0.0));
    for (int k = 0; k < n_pulses; ++k)
        for (std::size_t ti = 0; ti < o.drift_times_s.size(); ++ti) {
            double s = 0;
            for (int d = 0; d < n_dev; ++d)
                s += g_true[k][d] * physics.drift_factor(o.drift_times_s[ti], nu[d]);
            r.drift_mean_uS[k][ti] = s / n_dev;
        }

    // Fig. 2D: repeated noisy reads of a few devices at T0 after every pulse.
    for (int d = 0; d < o.traces; ++d) {
        std::vector<double> trace;
        for (int k = 0; k < n_pulses; ++k)
            for (int i = 0; i < o.reads_per_pulse; ++i) {
                const double g = g_true[k][d];
                const double noise =
                    o.read_noise
                        ? physics.read_sigma_uS(g) *
                              read.normal(std::uint64_t(k), std::uint32_t(d), std::uint32_t(1 + i))
                        : 0;
                trace.push_back(g + noise);
            }
        r.traces_uS.push_back(std::move(trace));
    }
    return r;
}

nlohmann::json to_json(const CharacterisationResult& r) {
    nlohmann::json j;
    j["family"] = r.family;
    j["devices"] = r.options.devices;
    j["init_uS"] = r.options.init_uS;
    j["start_mean_uS"] = r.start_mean_uS;
    j["pulses"] = r.pulses;
    j["mean_uS"] = r.mean_uS;
    j["std_uS"] = r.std_uS;
    if (!r.model_mean_uS.empty()) {
        j["model_mean_uS"] = r.model_mean_uS;
        j["model_std_uS"] = r.model_std_uS;
        j["mean_curve_uS"] = r.mean_curve_uS;
        j["check"] = {{"mean_rel_tolerance", 0.1},
                      {"std_rel_tolerance", 0.2},
                      {"max_mean_rel_error", r.max_mean_rel_error},
                      {"max_std_rel_error", r.max_std_rel_error},
                      {"mean_curve_from_pulse", mean_curve_first_pulse},
                      {"mean_curve_rel_tolerance", 0.1},
                      {"max_mean_curve_rel_error", r.max_curve_rel_error},
                      {"passed", r.max_mean_rel_error <= 0.1 && r.max_std_rel_error <= 0.2 &&
                                     r.max_curve_rel_error <= 0.1}};
    }
    j["histogram"] = {{"after_pulses", r.options.histogram_after},
                      {"edges_uS", r.histogram_edges_uS},
                      {"counts", r.histogram_counts},
                      {"model_counts", r.histogram_model_counts}};
    j["drift"] = {{"times_s", r.drift_times_s}, {"mean_uS", r.drift_mean_uS}};
    j["traces"] = {{"reads_per_pulse", r.options.reads_per_pulse}, {"g_uS", r.traces_uS}};
    return j;
}

} // namespace cbl
