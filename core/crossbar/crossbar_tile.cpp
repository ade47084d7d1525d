#include "core/crossbar/crossbar_tile.hpp"

#include "core/common/param_error.hpp"
#include "core/common/rng.hpp"
#include "core/crossbar/mvm_kernels.hpp"

#include <tbb/blocked_range.h>
#include <tbb/combinable.h>
#include <tbb/parallel_for.h>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace cbl {

namespace {

// RNG sub-counters: MVM noise uses 0 (forward) and 1 (backward); refresh pulses and verify reads
// start here so they never reuse a draw of program() in the same step.
constexpr std::uint32_t sub_forward = 0;
constexpr std::uint32_t sub_backward = 1;
// Above every train of a write-and-verify loop (1000 rounds x 255 pulses, program()).
constexpr std::uint32_t sub_refresh = 1u << 20;

constexpr int code_max = 255;

/// std::lround for x >= 0, inline rather than a library call on every programmed synapse: x -
/// trunc(x) is exact in double, so the result is lround's.
long lround_nonneg(double x) {
    const double t = std::trunc(x);
    return long(t) + (x - t >= 0.5 ? 1 : 0);
}

/// A summed reader's noise code from the pairs' mean squared code m: std::round(std::sqrt(m))
/// capped at code_max (x - floor(x) is exact in float).
float code_of_mean_square(float m) {
    const float root = std::sqrt(m), f = std::floor(root);
    return std::min(f + (root - f >= 0.5f ? 1.f : 0.f), float(code_max));
}

/// code_of_mean_square() of a whole column, in place. Not Eigen's sqrt() and round(): its packet
/// square root is an approximation and its round() calls roundf per element; these steps are
/// exact in float.
void mean_square_to_codes(Eigen::ArrayXf& v) {
    float* x = v.data();
    Eigen::Index i = 0;
#if defined(__AVX512F__)
    const __m512 half = _mm512_set1_ps(0.5f), one = _mm512_set1_ps(1.f),
                 top = _mm512_set1_ps(float(code_max));
    for (; i + 16 <= v.size(); i += 16) {
        const __m512 root = _mm512_sqrt_ps(_mm512_loadu_ps(x + i));
        const __m512 f = _mm512_roundscale_ps(root, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
        const __mmask16 up = _mm512_cmp_ps_mask(_mm512_sub_ps(root, f), half, _CMP_GE_OQ);
        _mm512_storeu_ps(x + i, _mm512_min_ps(_mm512_mask_add_ps(f, up, f, one), top));
    }
#endif
    for (; i < v.size(); ++i)
        x[i] = code_of_mean_square(x[i]);
}

void check_size(const char* what, Eigen::Index got, int want) {
    if (got != want)
        throw std::invalid_argument(std::string("CrossbarTile: ") + what + " has size " +
                                    std::to_string(got) + ", expected " + std::to_string(want));
}

} // namespace

CrossbarTile::CrossbarTile(int rows_out, int cols_in, const TileConfig& config, std::uint64_t seed,
                           std::uint32_t layer)
    : rows_(rows_out), cols_(cols_in), n_syn_(0), cfg_(config), device_(config.device), seed_(seed),
      layer_(layer) {
    require_range("tile.rows_out", rows_out, 1, 1 << 16);
    require_range("tile.cols_in", cols_in, 1, 1 << 16);
    // Device ids (2 per synapse) must fit the 32-bit RNG index.
    require_range("tile.rows_out x tile.cols_in", double(rows_out) * cols_in, 1, 1 << 30);
    cfg_.validate();
    n_syn_ = rows_ * cols_;
    const bool history = device_.keeps_history();
    for (int k = 0; k < dps(); ++k) {
        g_uS_[k].resize(n_syn_);
        if (history) {
            t_p_s_[k].assign(n_syn_, 0.f);
            n_[k].resize(n_syn_);
            nu_code_[k].resize(n_syn_);
        }
    }
    nu_step_ = device_.drift_exponent_span() / code_max;
    sigma_step_uS_ = read_sigma_step_uS();
    ld_ = mvm::padded_rows(rows_);
    w_eff_.setZero(ld_, cols_);
    sigma_code_.setZero(ld_, cols_);
    const int longest = std::max(ld_, cols_);
    x_q_.resize(longest);
    y_pad_.resize(ld_);
    var_.resize(longest);
    z_.resize(longest + 4);
    u1_.resize(longest / 2 + 2);
    u2_.resize(longest / 2 + 2);
    active_.resize(longest);
    draw_initial_state();
    rebuild_cache();
}

// The read-noise sigma of a pair at full conductance, in code_max steps (sigma_code_'s unit).
double CrossbarTile::read_sigma_step_uS() const {
    return std::sqrt(double(dps())) *
           (cfg_.device.read_g() * cfg_.device.g_max_uS() + cfg_.device.read_0_uS()) / code_max;
}

void CrossbarTile::draw_initial_state() {
    const CounterRng init(seed_, RngStream::init, layer_);
    const CounterRng drift(seed_, RngStream::drift, layer_);
    const double lo = cfg_.device.g_min_uS(), hi = cfg_.device.g_max_uS();
    const bool history = device_.keeps_history();
    tbb::parallel_for(tbb::blocked_range<int>(0, n_syn_, 4096), [&](const auto& range) {
        for (int s = range.begin(); s < range.end(); ++s)
            for (int k = 0; k < dps(); ++k) {
                const std::uint32_t dev = device_id(s, k);
                const double g =
                    std::clamp(cfg_.init_mean_uS + cfg_.init_std_uS * init.normal(0, dev), lo, hi);
                g_uS_[k][s] = float(g);
                if (!history) continue;
                // The pulse history that brought the device to its initial conductance (PCM:
                // SETs from RESET along the mean curve, ref. README 2) and its drift exponent.
                n_[k][s] = std::uint8_t(
                    std::min<long>(code_max, std::lround(device_.initial_pulse_count(g))));
                const double nu = device_.drift_exponent(drift.normal(0, dev));
                nu_code_[k][s] =
                    nu_step_ > 0
                        ? std::uint8_t(std::min<long>(code_max, std::lround(nu / nu_step_)))
                        : 0;
            }
    });
    std::uint8_t top = 0;
    for (int k = 0; k < dps(); ++k)
        for (const auto c : nu_code_[k])
            top = std::max(top, c);
    nu_max_ = nu(top);
    col_g_max_.resize(std::size_t(cols_));
    for (int c = 0; c < cols_; ++c)
        col_g_max_[c] = column_g_max(c);
}

void CrossbarTile::shift_initial(int r, int c, double dw) {
    const int s = c * rows_ + r;
    const int k = dps() == 2 && dw < 0 ? 1 : 0;
    const double g =
        std::clamp(double(g_uS_[k][s]) + (dps() == 2 ? std::abs(dw) : dw) / cfg_.beta_per_uS,
                   cfg_.device.g_min_uS(), cfg_.device.g_max_uS());
    g_uS_[k][s] = float(g);
    // The SET history that reaches the new conductance, as draw_initial_state() gives it.
    if (device_.keeps_history())
        n_[k][s] =
            std::uint8_t(std::min<long>(code_max, std::lround(device_.initial_pulse_count(g))));
    note_conductance(s, float(g));
    update_cache_entry(s);
}

float CrossbarTile::column_g_max(int c) const {
    float m = -std::numeric_limits<float>::infinity();
    for (int k = 0; k < dps(); ++k) {
        const float* g = g_uS_[k].data() + std::size_t(c) * rows_;
        m = std::max(m, *std::max_element(g, g + rows_));
    }
    return m;
}

double CrossbarTile::drift_factor(int s, int k, double t) const {
    if (!cfg_.drift || !device_.drifts()) return 1.0;
    return device_.drift_factor(t - double(t_p_s_[k][s]), nu(nu_code_[k][s]));
}

// Drifted conductances of plane k, column c at time t: G (max(t - t_p, T0) / T0)^-nu
// (seed 002 Fig. 2C), vectorised over the column.
void CrossbarTile::compute_plane_column(int c, int k, double t, float* g_out) const {
    const std::size_t o = std::size_t(c) * rows_;
    Eigen::Map<Eigen::ArrayXf> out(g_out, rows_);
    const Eigen::Map<const Eigen::ArrayXf> g(g_uS_[k].data() + o, rows_);
    if (!cfg_.drift || !device_.drifts()) {
        out = g;
        return;
    }
    const auto t0 = float(device_.drift().t0_s);
    const Eigen::Map<const Eigen::ArrayXf> t_p(t_p_s_[k].data() + o, rows_);
    const Eigen::Map<const Eigen::Array<std::uint8_t, Eigen::Dynamic, 1>> code(
        nu_code_[k].data() + o, rows_);
    // Ages in float: the rounding of t (~6e-8 t) moves a factor by < nu 6e-8 t / T0, below
    // drift_tolerance for simulated times up to months.
    // The uint8 -> float cast has no SIMD path in Eigen and would drag log/exp down to scalar
    // code, so the exponents are converted first and the transcendental part stays vectorised.
    out = code.cast<float>() * -float(nu_step_);
    out = g * (out * ((float(t) - t_p).max(t0) / t0).log()).exp();
}

void CrossbarTile::rebuild_cache() {
    const float beta = float(cfg_.beta_per_uS);
    const float g_ref = float(cfg_.g_ref_uS);
    const float read_g = float(cfg_.device.read_g()), read_0 = float(cfg_.device.read_0_uS());
    const float inv_step = sigma_step_uS_ > 0 ? float(1.0 / sigma_step_uS_) : 0.f;
    tbb::parallel_for(tbb::blocked_range<int>(0, cols_, 16), [&](const auto& range) {
        Eigen::ArrayXf gp(rows_), gm(rows_), sig2(rows_);
        for (int c = range.begin(); c < range.end(); ++c) {
            compute_plane_column(c, 0, time_s_, gp.data());
            sig2 = (read_g * gp + read_0).square();
            if (dps() == 2) {
                compute_plane_column(c, 1, time_s_, gm.data());
                w_eff_.col(c).head(rows_) = (beta * (gp - gm)).matrix();
                sig2 += (read_g * gm + read_0).square();
            } else {
                w_eff_.col(c).head(rows_) = (beta * (gp - g_ref)).matrix();
            }
            sig2 = (sig2.sqrt() * inv_step).round().min(float(code_max));
            sigma_code_.col(c).head(rows_) = sig2.cast<std::uint8_t>().matrix();
        }
    });
    row_sum_ = w_eff_.topRows(rows_).cast<double>().rowwise().sum();
    all_written_ = true;
    cache_time_s_ = time_s_;
    first_program_s_ = std::numeric_limits<double>::infinity();
    cache_min_age_s_ = std::numeric_limits<double>::infinity();
    if (device_.keeps_history())
        for (int k = 0; k < dps(); ++k) {
            const float newest = *std::max_element(t_p_s_[k].begin(), t_p_s_[k].end());
            // Program times are stored as float, rounded from the double clock, possibly up:
            // an age is never below 0.
            cache_min_age_s_ = std::min(cache_min_age_s_, std::max(0.0, time_s_ - double(newest)));
        }
}

// The cache is exact at its rebuild and for entries recomputed by program(). Any device's drift
// factor has since changed by at most nu_max ln(max(age_now, T0) / max(age_then, T0)); the
// youngest device bounds this, so one comparison decides whether a rebuild is due.
// The verdict depends only on the values in FreshCheck: the reads of one step (a convolution's
// positions) find them unchanged and skip the logarithms.
CrossbarTile::FreshCheck CrossbarTile::fresh_inputs() const {
    return {time_s_, first_program_s_,     cache_time_s_,       cache_min_age_s_,
            nu_max_, cfg_.drift_tolerance, device_.drift().t0_s};
}

void CrossbarTile::ensure_cache_fresh() {
    if (summed_pairs_ > 0 || !cfg_.drift || !device_.drifts() || nu_max_ <= 0) return;
    const FreshCheck now = fresh_inputs();
    if (now == fresh_at_) return;
    fresh_at_ = now;
    const double t0 = device_.drift().t0_s;
    const double dt = time_s_ - cache_time_s_;
    const double a = cache_min_age_s_;
    double change = nu_max_ * std::log(std::max(a + dt, t0) / std::max(a, t0));
    if (std::isfinite(first_program_s_))
        change =
            std::max(change, nu_max_ * std::log(std::max(time_s_ - first_program_s_, t0) / t0));
    if (change > cfg_.drift_tolerance) {
        rebuild_cache();
        // Fresh at the rebuild: change is 0 until the time moves or a device is programmed.
        fresh_at_ = fresh_inputs();
    }
}

void CrossbarTile::update_cache_entry(int s) {
    const int r = s % rows_, c = s / rows_;
    const double gp = g_uS_[0][s] * drift_factor(s, 0, time_s_);
    const double read_g = cfg_.device.read_g(), read_0 = cfg_.device.read_0_uS();
    double sig2 = std::pow(read_g * gp + read_0, 2);
    double w;
    if (dps() == 2) {
        const double gm = g_uS_[1][s] * drift_factor(s, 1, time_s_);
        w = cfg_.beta_per_uS * (gp - gm);
        sig2 += std::pow(read_g * gm + read_0, 2);
    } else {
        w = cfg_.beta_per_uS * (gp - cfg_.g_ref_uS);
    }
    row_sum_[r] += float(w) - w_eff_(r, c);
    w_eff_(r, c) = float(w);
    note_written(s);
    sigma_code_(r, c) = sigma_step_uS_ > 0
                            ? std::uint8_t(std::min<long>(
                                  code_max, lround_nonneg(std::sqrt(sig2) / sigma_step_uS_)))
                            : 0;
}

const Eigen::VectorXf& CrossbarTile::convert_input(const Eigen::Ref<const Eigen::VectorXf>& x,
                                                   OpCounts& ops) {
    const auto n = x.size();
    x_q_.head(n) = x;
    const int bits = cfg_.peripherals.dac_bits;
    if (bits > 0) {
        // Signed DAC with a shared scale per vector (seed 002 section 3 uses shared scale factors).
        const float scale = x.cwiseAbs().maxCoeff();
        if (scale > 0) {
            const float levels = float((1 << (bits - 1)) - 1);
            x_q_.head(n) = (x.array() * (levels / scale)).round() * (scale / levels);
        }
    }
    // Branch-free: whether a pixel is zero is unpredictable.
    int n_act = 0;
    const float* xq = x_q_.data();
    int i = 0;
#if defined(__AVX512F__)
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (; i + 16 <= n; i += 16) {
        const __mmask16 nz =
            _mm512_cmp_ps_mask(_mm512_loadu_ps(xq + i), _mm512_setzero_ps(), _CMP_NEQ_UQ);
        _mm512_mask_compressstoreu_epi32(active_.data() + n_act, nz,
                                         _mm512_add_epi32(lane, _mm512_set1_epi32(i)));
        n_act += std::popcount(unsigned(nz));
    }
#endif
    for (; i < n; ++i) {
        active_[n_act] = i;
        n_act += xq[i] != 0.f;
    }
    active_count_ = n_act;
    // The simulation skips lines with zero input (no current flows), but the hardware converts
    // every input every cycle (seed 002 Table 1 counts all 785 + 250 lines): count them all.
    ops.dac_conversions += std::uint64_t(n);
    return x_q_;
}

void CrossbarTile::add_read_noise(Eigen::Ref<Eigen::VectorXf> y,
                                  const Eigen::Ref<const Eigen::VectorXf>& var, std::uint64_t step,
                                  std::uint32_t direction) {
    const int n = int(y.size());
    const int pairs = (n + 1) / 2;
    // One Philox block gives two Box-Muller pairs; the blocks are drawn eight at a time and the
    // transcendental part runs vectorised.
    const int blocks = (pairs + 1) / 2; // 2 blocks <= longest / 2 + 2 (u1's and u2's size)
    CounterRng(seed_, RngStream::read_noise, layer_)
        .uniform_pairs(step, 0, blocks, direction, u1_.data(), u2_.data());
    mvm::box_muller(u1_.data(), u2_.data(), pairs, z_.data());
    const float sc = float(cfg_.beta_per_uS * cfg_.read_noise_scale * sigma_step_uS_);
    y.array() += sc * var.head(n).array().sqrt() * z_.head(n).array();
}

void CrossbarTile::convert_output(Eigen::Ref<Eigen::VectorXf> y, OpCounts& ops) const {
    if (drift_comp_ref_ > 0) {
        const double now = row_sum_.cwiseAbs().sum();
        if (now > 0) y *= float(drift_comp_ref_ / now);
    }
    const int bits = cfg_.peripherals.adc_bits;
    ops.adc_conversions += std::uint64_t(y.size());
    ops.adc_bit_conversions += std::uint64_t(y.size()) * std::uint64_t(bits);
    if (bits == 0) return;
    // Uniform ADC over [-range, range] with 2^bits levels; outputs beyond the range clip.
    const float range = float(cfg_.peripherals.adc_range);
    const float lsb = 2 * range / float((1 << bits) - 1);
    y = (((y.array().max(-range).min(range) + range) / lsb).round() * lsb - range).matrix();
}

void CrossbarTile::forward(const Eigen::Ref<const Eigen::VectorXf>& x,
                           Eigen::Ref<Eigen::VectorXf> y, std::uint64_t step, OpCounts& ops) {
    check_size("forward input", x.size(), cols_);
    check_size("forward output", y.size(), rows_);
    ensure_cache_fresh();
    const Eigen::VectorXf& xq = convert_input(x, ops);
    const bool noise = noise_on();
    mvm::forward_columns(w_eff_.data(), sigma_code_.data(), ld_, active_.data(), active_count_,
                         xq.data(), y_pad_.data(), noise ? var_.data() : nullptr);
    y = y_pad_.head(rows_);
    if (noise) add_read_noise(y, var_, step, sub_forward);
    ops.mvms += 1;
    ops.device_reads += std::uint64_t(cols_) * rows_ * dps() * pairs_read();
    convert_output(y, ops);
}

void CrossbarTile::backward(const Eigen::Ref<const Eigen::VectorXf>& d,
                            Eigen::Ref<Eigen::VectorXf> out, std::uint64_t step, OpCounts& ops) {
    check_size("backward output", out.size(), cols_);
    read_transposed(d, ops);
    finish_backward(0, out, step, ops);
}

void CrossbarTile::backward_many(const Eigen::Ref<const Eigen::MatrixXf>& d,
                                 Eigen::Ref<Eigen::MatrixXf> out, const std::uint64_t* steps,
                                 OpCounts& ops) {
    check_size("backward output", out.rows(), cols_);
    check_size("backward outputs", out.cols(), int(d.cols()));
    read_transposed(d, ops);
    // Each read finishes in a buffer of its own, as a single backward() into a fresh vector:
    // Eigen's vectorised loops round the peeled elements of an unaligned column differently.
    y_one_.resize(cols_);
    for (int p = 0; p < int(d.cols()); ++p) {
        finish_backward(p, y_one_, steps[p], ops);
        out.col(p) = y_one_;
    }
}

void CrossbarTile::read_transposed(const Eigen::Ref<const Eigen::MatrixXf>& d, OpCounts& ops) {
    check_size("backward input", d.rows(), rows_);
    ensure_cache_fresh();
    const int n = int(d.cols());
    d_pad_.resize(ld_, n);
    for (int p = 0; p < n; ++p) {
        d_pad_.col(p).head(rows_) = convert_input(d.col(p), ops).head(rows_);
        d_pad_.col(p).tail(ld_ - rows_).setZero();
    }
    const bool noise = noise_on();
    if (noise) d2_pad_ = d_pad_.array().square().matrix();
    out_pad_.resize(cols_, n);
    var_many_.resize(noise ? cols_ : 0, n);
    mvm::transposed_many(w_eff_.data(), noise ? sigma_code_.data() : nullptr, ld_, cols_,
                         d_pad_.data(), d2_pad_.data(), n, out_pad_.data(), var_many_.data());
}

void CrossbarTile::finish_backward(int p, Eigen::Ref<Eigen::VectorXf> y, std::uint64_t step,
                                   OpCounts& ops) {
    y = out_pad_.col(p);
    if (noise_on()) add_read_noise(y, var_many_.col(p), step, sub_backward);
    ops.mvms += 1;
    ops.device_reads += std::uint64_t(rows_) * cols_ * dps() * pairs_read();
    convert_output(y, ops);
}

namespace {
// The fixed device-to-device draws are a pure function of (seed, layer, device): each thread
// memoises them in its own direct-mapped table, so rows programmed on several threads at once
// (for_each_row) neither share nor change a value.
struct DrawMemo {
    std::uint64_t seed = ~0ull;
    std::uint32_t layer = ~0u, dev = ~0u;
    double x = 0, y = 0;
};

DrawMemo& draw_memo(std::uint32_t layer, std::uint32_t dev) {
    static thread_local std::vector<DrawMemo> memo(4096);
    return memo[(dev ^ (layer * 0x9E3779B9u)) & 4095u];
}
} // namespace

r123::double2 CrossbarTile::device_draw(std::uint32_t dev) const {
    DrawMemo& e = draw_memo(layer_, dev);
    if (e.dev != dev || e.layer != layer_ || e.seed != seed_) {
        const r123::double2 z = CounterRng(seed_, RngStream::variability, layer_).normal2(0, dev);
        e = {seed_, layer_, dev, z.x, z.y};
    }
    return {e.x, e.y};
}

void CrossbarTile::apply_pulses(int s, int k, int count, bool up, std::uint64_t step,
                                std::uint32_t sub0, OpCounts& ops) {
    const std::uint32_t dev = device_id(s, k);
    const CounterRng rng(seed_, RngStream::program, layer_);
    const auto d2d = [&] { return device_draw(dev); };
    const auto z = [&](int i) { return rng.normal_f32(step, dev, sub0 + std::uint32_t(i)); };
    int n = device_.keeps_history() ? n_[k][s] : 0;
    const double g = device_.pulse_train_uS(g_uS_[k][s], n, code_max, up, count, d2d, z);
    if (device_.keeps_history()) {
        n_[k][s] = std::uint8_t(n);
        t_p_s_[k][s] = float(time_s_); // drift re-initiates at every pulse (seed 002 Fig. 2C)
    }
    g_uS_[k][s] = float(g);
    note_conductance(s, float(g));
    (up ? ops.set_pulses : ops.reset_pulses) += std::uint64_t(count);
}

void CrossbarTile::program(int r, int c, int pulses, std::uint64_t step, OpCounts& ops, int train) {
    if (r < 0 || r >= rows_ || c < 0 || c >= cols_)
        throw std::out_of_range("CrossbarTile::program: synapse (" + std::to_string(r) + ", " +
                                std::to_string(c) + ") outside the tile");
    if (pulses == 0) return;
    const int s = c * rows_ + r;
    // Bounded before the magnitude is taken: std::abs(INT_MIN) would overflow.
    pulses = std::clamp(pulses, -max_pulses_per_program, max_pulses_per_program);
    const int count = std::abs(pulses);
    const auto sub0 = std::uint32_t(train) * std::uint32_t(max_pulses_per_program);
    if (dps() == 2)
        apply_pulses(s, pulses > 0 ? 0 : 1, count, true, step, sub0, ops);
    else
        apply_pulses(s, 0, count, pulses > 0, step, sub0, ops);
    update_cache_entry(s);
    note_first_program();
}

void CrossbarTile::prefetch(int r, int c) const {
    if (r < 0 || r >= rows_ || c < 0 || c >= cols_) return;
    const std::size_t s = std::size_t(c) * rows_ + r;
    // Devices without a history or drift keep n, t_p and nu empty.
    const auto ahead = [s](const auto& v, int rw) {
        if (s < v.size())
            rw ? __builtin_prefetch(v.data() + s, 1) : __builtin_prefetch(v.data() + s);
    };
    for (int k = 0; k < dps(); ++k) {
        __builtin_prefetch(&draw_memo(layer_, device_id(int(s), k)));
        ahead(g_uS_[k], 1);
        ahead(n_[k], 1);
        ahead(t_p_s_[k], 1);
        ahead(nu_code_[k], 0);
    }
    __builtin_prefetch(&w_eff_(r, c), 1);
    __builtin_prefetch(&sigma_code_(r, c), 1);
}

double CrossbarTile::read_device_uS(int s, int k, std::uint64_t step, std::uint32_t sub) const {
    const double g = g_uS_[k][s] * drift_factor(s, k, time_s_);
    if (!cfg_.read_noise) return g;
    const double sigma = cfg_.device.read_g() * g + cfg_.device.read_0_uS();
    const CounterRng rng(seed_, RngStream::read_noise, layer_);
    return g + cfg_.read_noise_scale * sigma * rng.normal_f32(step, device_id(s, k), sub);
}

void CrossbarTile::reset_device(int s, int k, std::uint64_t step, std::uint32_t sub,
                                OpCounts& ops) {
    // One full depression pulse (PCM: a RESET; others: a strong pulse to the floor).
    const std::uint32_t dev = device_id(s, k);
    const CounterRng rng(seed_, RngStream::program, layer_);
    const double g = device_.reset_uS(
        g_uS_[k][s], [&](int i) { return rng.normal_f32(step, dev, sub + std::uint32_t(i)); });
    if (device_.keeps_history()) {
        n_[k][s] = 0;
        t_p_s_[k][s] = float(time_s_);
    }
    g_uS_[k][s] = float(g);
    note_conductance(s, g_uS_[k][s]);
    ops.reset_pulses += 1;
}

int CrossbarTile::refresh(std::uint64_t step, OpCounts& ops) {
    if (dps() != 2) return 0;
    // Detection reads every device once against a threshold (a sense comparison on the array,
    // not a full verify conversion); the test uses the drifted conductance. Columns are tested
    // on the pool, each listing its saturated synapses rows ascending.
    ops.device_reads += 2 * std::uint64_t(n_syn_);
    std::vector<std::vector<int>> saturated_in(std::size_t(cols_), std::vector<int>{});
    tbb::parallel_for(tbb::blocked_range<int>(0, cols_, 16), [&](const auto& range) {
        Eigen::ArrayXf gp(rows_), gm(rows_);
        const float thr = float(cfg_.refresh_threshold_uS);
        for (int c = range.begin(); c < range.end(); ++c) {
            // Drift factors are <= 1 (to float rounding, far inside the 1e-4 margin): a column
            // whose undrifted conductances are all below the threshold has nothing to refresh.
            // The bound is only raised by writes; made exact, it clears a column whose saturated
            // pairs were refreshed since, without drifting its conductances.
            if (col_g_max_[c] * 1.0001f <= thr) continue;
            col_g_max_[c] = column_g_max(c);
            if (col_g_max_[c] * 1.0001f <= thr) continue;
            compute_plane_column(c, 0, time_s_, gp.data());
            compute_plane_column(c, 1, time_s_, gm.data());
            for (int r = 0; r < rows_; ++r)
                if (gp[r] > thr || gm[r] > thr) saturated_in[c].push_back(c * rows_ + r);
        }
    });
    // Re-programming: a row's pairs on one thread in column order (its row_sum_ entry adds up
    // in the same order) and every draw keyed by (step, device): no split changes a result.
    std::vector<std::vector<int>> saturated_at(std::size_t(rows_), std::vector<int>{});
    std::uint64_t refreshed = 0;
    for (const auto& column : saturated_in)
        for (const int s : column) {
            saturated_at[std::size_t(s % rows_)].push_back(s);
            ++refreshed;
        }
    if (refreshed == 0) return 0;
    tbb::combinable<OpCounts> counts;
    tbb::parallel_for(tbb::blocked_range<int>(0, rows_, 8), [&](const auto& range) {
        OpCounts& local = counts.local();
        for (int r = range.begin(); r < range.end(); ++r)
            for (const int s : saturated_at[std::size_t(r)])
                refresh_pair(s, step, local);
    });
    counts.combine_each([&](const OpCounts& c) { ops += c; });
    ops.refreshed_pairs += refreshed;
    return int(refreshed);
}

void CrossbarTile::refresh_pair(int s, std::uint64_t step, OpCounts& ops) {
    const double tol = cfg_.refresh_tolerance_uS;
    const double target =
        read_device_uS(s, 0, step, sub_refresh) - read_device_uS(s, 1, step, sub_refresh);
    const int k = target >= 0 ? 0 : 1;
    std::uint32_t q = sub_refresh + 1;
    reset_device(s, 0, step, q++, ops);
    reset_device(s, 1, step, q++, ops);
    const double other = read_device_uS(s, 1 - k, step, q++);
    ops.verify_reads += 1;
    // Program-and-verify: SET until the difference is within tol of the old one; an overshoot
    // (a SET step is stochastic) starts the device over from RESET.
    for (int used = 0; used < cfg_.refresh_max_pulses; ++used) {
        const double diff = read_device_uS(s, k, step, q++) - other;
        ops.verify_reads += 1;
        if (std::abs(diff - std::abs(target)) <= tol) break;
        if (diff > std::abs(target) + tol)
            reset_device(s, k, step, q++, ops);
        else
            apply_pulses(s, k, 1, true, step, q++, ops);
    }
    if (device_.keeps_history()) t_p_s_[1 - k][s] = t_p_s_[k][s] = float(time_s_);
    update_cache_entry(s);
    note_first_program();
}

void CrossbarTile::advance_time(double seconds) {
    require_range("advance_time seconds", seconds, 0, 1e12, "s");
    time_s_ += seconds;
}

CrossbarTile CrossbarTile::at_time(double time_s) const {
    require_range("time_s", time_s, time_s_, 1e12, "s");
    CrossbarTile copy = *this;
    copy.advance_time(time_s - time_s_);
    return copy;
}

Eigen::MatrixXf CrossbarTile::g_plus_uS() const {
    Eigen::MatrixXf g(rows_, cols_);
    tbb::parallel_for(0, cols_,
                      [&](int c) { compute_plane_column(c, 0, time_s_, g.col(c).data()); });
    return g;
}

Eigen::MatrixXf CrossbarTile::g_minus_uS() const {
    if (dps() == 1) return Eigen::MatrixXf::Constant(rows_, cols_, float(cfg_.g_ref_uS));
    Eigen::MatrixXf g(rows_, cols_);
    tbb::parallel_for(0, cols_,
                      [&](int c) { compute_plane_column(c, 1, time_s_, g.col(c).data()); });
    return g;
}

Eigen::MatrixXf CrossbarTile::weights() const {
    return float(cfg_.beta_per_uS) * (g_plus_uS() - g_minus_uS());
}

float CrossbarTile::weight(int r, int c) const {
    const int s = c * rows_ + r;
    return float(cfg_.beta_per_uS * (g_now(s, 0) - g_now(s, 1)));
}

double CrossbarTile::nominal_pulse_weight(int r, int c, bool up) const {
    const int s = c * rows_ + r;
    // Differential pairs potentiate G+ to go up and G- to go down; a single device moves both
    // ways.
    const int k = dps() == 2 && !up ? 1 : 0;
    int n = device_.keeps_history() ? n_[k][s] : 0;
    const double g = g_uS_[k][s];
    const auto nominal = [] { return r123::double2{0, 0}; };
    const auto no_noise = [](int) { return 0.0f; };
    const double moved =
        device_.pulse_train_uS(g, n, code_max, dps() == 2 || up, 1, nominal, no_noise) - g;
    return cfg_.beta_per_uS * (k == 0 ? moved : -moved);
}

void CrossbarTile::calibrate_drift_compensation() {
    ensure_cache_fresh();
    drift_comp_ref_ = row_sum_.cwiseAbs().sum();
}

void CrossbarTile::clear_drift_compensation() {
    drift_comp_ref_ = 0;
}

double CrossbarTile::drift_compensation_factor() {
    if (drift_comp_ref_ <= 0) return 1.0;
    ensure_cache_fresh();
    const double now = row_sum_.cwiseAbs().sum();
    return now > 0 ? drift_comp_ref_ / now : 1.0;
}

void CrossbarTile::configure(const TileConfig& tile) {
    tile.validate();
    const bool cache_changes =
        tile.drift != cfg_.drift || nlohmann::json(tile.device) != nlohmann::json(cfg_.device);
    cfg_ = tile;
    device_ = DevicePhysics(cfg_.device);
    if (!cache_changes) return;
    sigma_step_uS_ = read_sigma_step_uS() * std::sqrt(double(pairs_read()));
    if (summed_pairs_ > 0)
        sum_stale_ = true;
    else
        rebuild_cache();
}

CrossbarTile CrossbarTile::summed_reader(const std::vector<CrossbarTile*>& pairs) {
    CrossbarTile t = *pairs.front();
    t.summed_pairs_ = int(pairs.size());
    // Its own devices would never be read or written: only the caches are kept.
    for (int k = 0; k < 2; ++k) {
        t.g_uS_[k] = {};
        t.t_p_s_[k] = {};
        t.n_[k] = {};
        t.nu_code_[k] = {};
    }
    t.col_g_max_ = {};
    t.written_.clear();
    t.tracks_writes_ = false;
    // The sum of N pair sigmas, each below 255 steps, stays below 255 steps of sqrt(N) x.
    t.sigma_step_uS_ = t.read_sigma_step_uS() * std::sqrt(double(pairs.size()));
    t.sum_stale_ = true;
    for (CrossbarTile* p : pairs) {
        p->written_.clear();
        p->tracks_writes_ = true;
    }
    t.sync_sum(pairs);
    return t;
}

void CrossbarTile::sync_sum(const std::vector<CrossbarTile*>& pairs) {
    bool all = sum_stale_;
    for (CrossbarTile* p : pairs) {
        p->ensure_cache_fresh();
        all = all || p->all_written_;
    }
    // Sums in pair order, as floats: the squared codes are integers below 2^24, so whole columns
    // (vectorised) and single entries give the same bits.
    const float n = float(pairs.size());
    if (!all) {
        for (const CrossbarTile* p : pairs)
            for (const int s : p->written_) {
                const int r = s % rows_, c = s / rows_;
                float w = pairs.front()->w_eff_(r, c), code2 = 0;
                for (std::size_t i = 1; i < pairs.size(); ++i)
                    w += pairs[i]->w_eff_(r, c);
                for (const CrossbarTile* q : pairs) {
                    const float code = q->sigma_code_(r, c);
                    code2 += code * code;
                }
                w_eff_(r, c) = w;
                sigma_code_(r, c) = std::uint8_t(code_of_mean_square(code2 / n));
            }
    }
    Eigen::ArrayXf code2(rows_);
    for (int c = 0; c < (all ? cols_ : 0); ++c) {
        auto w = w_eff_.col(c).head(rows_);
        w = pairs.front()->w_eff_.col(c).head(rows_);
        code2 = pairs.front()->sigma_code_.col(c).head(rows_).cast<float>().array().square();
        for (std::size_t i = 1; i < pairs.size(); ++i) {
            w += pairs[i]->w_eff_.col(c).head(rows_);
            code2 += pairs[i]->sigma_code_.col(c).head(rows_).cast<float>().array().square();
        }
        code2 /= n;
        mean_square_to_codes(code2);
        sigma_code_.col(c).head(rows_) = code2.cast<std::uint8_t>().matrix();
    }
    row_sum_ = pairs.front()->row_sum_;
    for (std::size_t i = 1; i < pairs.size(); ++i)
        row_sum_ += pairs[i]->row_sum_;
    time_s_ = pairs.front()->time_s_;
    for (CrossbarTile* p : pairs) {
        p->written_.clear();
        p->all_written_ = false;
    }
    sum_stale_ = false;
}

TileState CrossbarTile::state() const {
    TileState st;
    st.rows = rows_;
    st.cols = cols_;
    st.time_s = time_s_;
    st.g_plus_uS = g_uS_[0];
    st.g_minus_uS = g_uS_[1];
    st.t_p_plus_s = t_p_s_[0];
    st.t_p_minus_s = t_p_s_[1];
    st.n_plus = n_[0];
    st.n_minus = n_[1];
    st.nu_plus = nu_code_[0];
    st.nu_minus = nu_code_[1];
    st.drift_compensation_ref = drift_comp_ref_;
    st.cache_w.assign(w_eff_.data(), w_eff_.data() + w_eff_.size());
    st.cache_sigma_code.assign(sigma_code_.data(), sigma_code_.data() + sigma_code_.size());
    st.cache_row_sum.assign(row_sum_.data(), row_sum_.data() + row_sum_.size());
    st.cache_time_s = cache_time_s_;
    st.cache_min_age_s = cache_min_age_s_;
    st.cache_first_program_s = first_program_s_;
    return st;
}

void CrossbarTile::restore(const TileState& st) {
    if (st.rows != rows_ || st.cols != cols_)
        throw InputError("tile state is " + std::to_string(st.rows) + " x " +
                         std::to_string(st.cols) + ", the tile is " + std::to_string(rows_) +
                         " x " + std::to_string(cols_));
    const auto check = [](const char* name, std::size_t got, std::size_t want) {
        if (got != want)
            throw InputError(std::string("tile state ") + name + " has " + std::to_string(got) +
                             " entries, expected " + std::to_string(want));
    };
    const std::size_t n = std::size_t(n_syn_);
    const std::size_t minus = dps() == 2 ? n : 0;
    const bool history = device_.keeps_history();
    check("g_plus_uS", st.g_plus_uS.size(), n);
    check("g_minus_uS", st.g_minus_uS.size(), minus);
    check("t_p_plus_s", st.t_p_plus_s.size(), history ? n : 0);
    check("t_p_minus_s", st.t_p_minus_s.size(), history ? minus : 0);
    check("n_plus", st.n_plus.size(), history ? n : 0);
    check("n_minus", st.n_minus.size(), history ? minus : 0);
    check("nu_plus", st.nu_plus.size(), history ? n : 0);
    check("nu_minus", st.nu_minus.size(), history ? minus : 0);
    require_range("tile state time_s", st.time_s, 0, 1e12, "s");
    require_range("tile state drift_compensation_ref", st.drift_compensation_ref, 0, 1e30);
    // Every conductance lies in the window it can reach, compared as the float it is stored as
    // (a device at g_min may round just below the double bound). Initial states are clipped to
    // the nominal window, but RRAM pulses move a device up to its own G_max, which has a
    // device-to-device spread (DevicePhysics::reachable_g_max_uS): the bound is the larger.
    const double lo = float(device_.g_min_uS()), hi = float(device_.g_max_uS());
    for (int k = 0; k < 2; ++k) {
        const std::vector<float>& g = k == 0 ? st.g_plus_uS : st.g_minus_uS;
        for (std::size_t s = 0; s < g.size(); ++s) {
            const std::uint32_t dev = device_id(int(s), k);
            const double top = std::max(
                hi, double(float(device_.reachable_g_max_uS([&] { return device_draw(dev); }))));
            require_range("tile state conductance", g[s], lo, top, "uS");
        }
    }
    const bool has_cache = !st.cache_w.empty();
    if (has_cache) {
        check("cache_w", st.cache_w.size(), std::size_t(w_eff_.size()));
        check("cache_sigma_code", st.cache_sigma_code.size(), std::size_t(sigma_code_.size()));
        check("cache_row_sum", st.cache_row_sum.size(), std::size_t(rows_));
        require_range("tile state cache_time_s", st.cache_time_s, 0, st.time_s, "s");
    }
    time_s_ = st.time_s;
    g_uS_[0] = st.g_plus_uS;
    g_uS_[1] = st.g_minus_uS;
    t_p_s_[0] = st.t_p_plus_s;
    t_p_s_[1] = st.t_p_minus_s;
    n_[0] = st.n_plus;
    n_[1] = st.n_minus;
    nu_code_[0] = st.nu_plus;
    nu_code_[1] = st.nu_minus;
    drift_comp_ref_ = st.drift_compensation_ref;
    for (int c = 0; c < cols_; ++c)
        col_g_max_[c] = column_g_max(c);
    std::uint8_t top = 0;
    for (int k = 0; k < dps(); ++k)
        for (const auto c : nu_code_[k])
            top = std::max(top, c);
    nu_max_ = nu(top);
    if (!has_cache) {
        rebuild_cache();
        return;
    }
    std::copy(st.cache_w.begin(), st.cache_w.end(), w_eff_.data());
    std::copy(st.cache_sigma_code.begin(), st.cache_sigma_code.end(), sigma_code_.data());
    std::copy(st.cache_row_sum.begin(), st.cache_row_sum.end(), row_sum_.data());
    all_written_ = true;
    cache_time_s_ = st.cache_time_s;
    cache_min_age_s_ = st.cache_min_age_s;
    first_program_s_ = st.cache_first_program_s;
}

std::size_t CrossbarTile::bytes_per_synapse() const {
    std::size_t bytes = 0;
    for (int k = 0; k < 2; ++k)
        bytes += g_uS_[k].size() * sizeof(float) + t_p_s_[k].size() * sizeof(float) + n_[k].size() +
                 nu_code_[k].size();
    bytes += std::size_t(w_eff_.size()) * sizeof(float) + std::size_t(sigma_code_.size()) +
             col_g_max_.size() * sizeof(float);
    bytes += std::size_t(row_sum_.size()) * sizeof(double) +
             std::size_t(x_q_.size() + y_pad_.size() + var_.size() + z_.size() + u1_.size() +
                         u2_.size() + d_pad_.size() + d2_pad_.size() + out_pad_.size() +
                         var_many_.size() + y_one_.size()) *
                 sizeof(float) +
             (active_.size() + written_.size()) * sizeof(int);
    return (bytes + std::size_t(n_syn_) - 1) / std::size_t(n_syn_);
}

} // namespace cbl
