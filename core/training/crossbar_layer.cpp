#include "core/training/crossbar_layer.hpp"

#include "core/common/param_error.hpp"
#include "core/common/rng.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace cbl {

// Sub-counter of the quantize stream for direct's stochastic rounding (0 and 1 are the
// quantized activations and errors).
constexpr std::uint32_t direct_sub = 2;

CrossbarLayer::Kind CrossbarLayer::kind_of(const std::string& type) {
    if (type == "mca") return Kind::mca;
    if (type == "direct") return Kind::direct;
    if (type == "time") return Kind::time;
    throw InputError("scheme.type " + type + " does not train on a crossbar (mca, direct, time)");
}

CrossbarLayer::CrossbarLayer(int rows, int cols, const TileConfig& tile, const SchemeConfig& scheme,
                             double seconds_per_image, std::uint64_t seed, std::uint32_t layer)
    : scheme_(scheme), kind_(kind_of(scheme.type)), seconds_per_image_(seconds_per_image),
      seed_(seed), layer_(layer), pulses_epoch_(rows, cols) {
    scheme_.validate();
    tile.validate();
    // Boybat's multi-memristive synapse: N pairs share the weight, each with beta / N.
    TileConfig per_pair = tile;
    per_pair.beta_per_uS = tile.beta_per_uS / tile.pairs_per_weight;
    for (int i = 0; i < tile.pairs_per_weight; ++i)
        tiles_.emplace_back(rows, cols, per_pair, seed, layer + (std::uint32_t(i) << 12));
    if (kind_ == Kind::mca) chi_.setZero(rows, (cols + 15) / 16 * 16);
    pulses_epoch_.setZero();
}

template <typename Read>
void CrossbarLayer::read_sum(Eigen::Ref<Vec> y, Read&& read) const {
    read(std::size_t(0), y);
    if (tiles_.size() == 1) return;
    Vec part(y.size());
    for (std::size_t i = 1; i < tiles_.size(); ++i) {
        read(i, part);
        y += part;
    }
}

void CrossbarLayer::forward(const Vec& x, Vec& z, StepContext& ctx) {
    z.resize(outputs());
    read_sum(z, [&](std::size_t i, Eigen::Ref<Vec> y) {
        tiles_[i].forward(x, y, ctx.step, (*ctx.counts)[Stage::forward]);
    });
}

void CrossbarLayer::backward(const Vec& d, Vec& out, StepContext& ctx) {
    out.resize(inputs());
    read_sum(out, [&](std::size_t i, Eigen::Ref<Vec> y) {
        tiles_[i].backward(d, y, ctx.step, (*ctx.counts)[Stage::backward]);
    });
}

void CrossbarLayer::forward_batch(const Matrix& x, Matrix& z, std::uint64_t eval_step) const {
    // Inference reads the array as training would (drift, read noise, converters) on a copy, so
    // evaluation never disturbs the training state; read noise is keyed apart from training.
    std::vector<CrossbarTile> readers = tiles_;
    OpCounts ignored;
    z.resize(outputs(), x.cols());
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
        const std::uint64_t step = (1ull << 63) | (eval_step << 16) | std::uint64_t(j);
        read_sum(z.col(j), [&](std::size_t i, Eigen::Ref<Vec> y) {
            readers[i].forward(x.col(j), y, step, ignored);
        });
    }
}

CrossbarLayer::Matrix CrossbarLayer::weights() const {
    Matrix w = tiles_.front().weights();
    for (std::size_t i = 1; i < tiles_.size(); ++i)
        w += tiles_[i].weights();
    return w;
}

void CrossbarLayer::program_pairs(int r, int c, int p, std::uint64_t step, OpCounts& ops) {
    const int n = int(tiles_.size());
    if (n == 1) {
        tiles_.front().program(r, c, p, step, ops);
        return;
    }
    // One train per pair (pulse k of a train has its own draw; two trains of one pair in one
    // step would repeat them).
    const int total = std::abs(p), sign = p > 0 ? 1 : -1;
    for (int j = 0; j < std::min(n, total); ++j) {
        const int share = total / n + (j < total % n ? 1 : 0);
        tiles_[arbiter_++ % std::uint32_t(n)].program(r, c, sign * share, step, ops);
    }
}

float CrossbarLayer::weight(int r, int c) const {
    float w = 0;
    for (const CrossbarTile& t : tiles_)
        w += t.weight(r, c);
    return w;
}

void CrossbarLayer::quantize(const Vec& v, Vec& q, std::uint64_t step, std::uint32_t which) {
    // Seed 002 section 3: activations and errors as signed n-bit numbers sharing one scale
    // factor; values beyond full scale clip. Stochastic rounding keeps dW unbiased.
    const bool fixed = scheme_.quantize_scale == "fixed";
    const auto& ranges = scheme_.quantize_delta_range;
    const double delta_range = ranges[std::min<std::size_t>(layer_, ranges.size() - 1)];
    const float scale =
        fixed ? static_cast<float>(which == 0 ? scheme_.quantize_x_range : delta_range)
              : v.cwiseAbs().maxCoeff();
    q.resize(v.size());
    if (scale == 0) {
        q.setZero();
        return;
    }
    const float levels = float((1 << (scheme_.quantize_bits - 1)) - 1);
    auto clipped = [&](Eigen::Index k) {
        return std::clamp(v[k] / scale * levels, -levels, levels);
    };
    if (scheme_.quantize_rounding == "nearest") {
        for (Eigen::Index k = 0; k < v.size(); ++k)
            q[k] = std::round(clipped(k)) * scale / levels;
        return;
    }
    // Element k uses word k % 4 of Philox block (step, k / 4, which). All blocks are drawn at
    // once (eight per AVX-512 pass) and the rounding is one branch-free loop the compiler
    // vectorises: the same operations per element as the scalar code.
    const int n = int(v.size());
    const int groups = (n + 3) / 4;
    words_.resize(std::size_t(4 * groups));
    CounterRng(seed_, RngStream::quantize, layer_).blocks(step, 0, groups, which, words_.data());
    const float* in = v.data();
    float* out = q.data();
    const std::uint32_t* w = words_.data();
    int k = 0;
#if defined(__AVX512F__)
    // Sixteen at a time: the compiler keeps the scalar loop below scalar, with a branch on the
    // random comparison that mispredicts half the time. Same IEEE operations per element:
    // max/min as std::clamp, floor, u01 = float(word) 2^-32 + 2^-33 (exact), strict compare.
    const __m512 sv = _mm512_set1_ps(scale), lv = _mm512_set1_ps(levels);
    const __m512 neg_lv = _mm512_set1_ps(-levels), one = _mm512_set1_ps(1.0f);
    const __m512 factor = _mm512_set1_ps(0x1p-32f), half = _mm512_set1_ps(0x1p-33f);
    for (; k + 16 <= n; k += 16) {
        __m512 u = _mm512_mul_ps(_mm512_div_ps(_mm512_loadu_ps(in + k), sv), lv);
        u = _mm512_min_ps(lv, _mm512_max_ps(neg_lv, u));
        const __m512 lo = _mm512_roundscale_ps(u, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
        const __m512 r = _mm512_add_ps(
            _mm512_mul_ps(_mm512_cvtepu32_ps(_mm512_loadu_si512(w + k)), factor), half);
        const __mmask16 up = _mm512_cmp_ps_mask(r, _mm512_sub_ps(u, lo), _CMP_LT_OQ);
        const __m512 q16 = _mm512_add_ps(lo, _mm512_maskz_mov_ps(up, one));
        _mm512_storeu_ps(out + k, _mm512_div_ps(_mm512_mul_ps(q16, sv), lv));
    }
#endif
    for (; k < n; ++k) {
        const float u = std::clamp(in[k] / scale * levels, -levels, levels);
        const float lo = std::floor(u);
        const float up = r123::u01<float>(w[k]) < (u - lo) ? 1.0f : 0.0f;
        out[k] = (lo + up) * scale / levels;
    }
}

void CrossbarLayer::count_pulses(int r, int c, int pulses) {
    const int n = pulses_epoch_(r, c) + std::abs(pulses);
    pulses_epoch_(r, c) = static_cast<std::uint16_t>(std::min(n, 65535));
}

double CrossbarLayer::eps_for(bool up) const {
    // Single mapping: separate granules for SET and RESET (seed 002 A.2.4).
    const double e = up ? scheme_.eps_up : scheme_.eps_down;
    return tiles_.front().config().mapping == WeightMapping::single && e > 0 ? e : scheme_.eps;
}

void CrossbarLayer::transfer(int r, int c, float dw, StepContext& ctx) {
    if (kind_ == Kind::time) {
        write_time(r, c, dw, ctx);
        return;
    }
    // "direct" programs this image's dW alone; "mca" first adds it to chi (seed 002 Fig. 1B).
    double pending = dw;
    if (kind_ == Kind::mca) pending = chi_(r, c) += dw;
    // p = trunc(chi / eps) (seed 002 Fig. 1B). "direct" rounds this image's dW alone: whatever
    // the rounding drops is lost instead of carried in chi.
    const double granules = pending / eps_for(pending > 0);
    apply_pulses(r, c,
                 kind_ == Kind::direct && scheme_.direct_rounding == "nearest"
                     ? static_cast<int>(std::lround(granules))
                     : static_cast<int>(std::trunc(granules)),
                 ctx);
}

void CrossbarLayer::apply_pulses(int r, int c, int p, StepContext& ctx) {
    if (p == 0) return;
    const bool up = p > 0;
    const double eps = eps_for(up);
    // A single PCM device is depressed by one RESET, whatever the count (seed 002 A.2.4).
    const TileConfig& cfg = tiles_.front().config();
    if (cfg.mapping == WeightMapping::single && !up && cfg.device.is_pcm()) p = -1;
    program_pairs(r, c, p, ctx.step, (*ctx.counts)[Stage::update]);
    count_pulses(r, c, p);
    if (kind_ == Kind::mca) chi_(r, c) -= static_cast<float>(p * eps);
}

void CrossbarLayer::round_column_stochastic(int c, StepContext& ctx) {
    // Without chi a change below one granule can only be made on average: p = floor(dW/eps + u)
    // is right in expectation (seed 002 section 2.3's comparison without the accumulator).
    const int rows = outputs(), groups = (rows + 3) / 4;
    words_.resize(std::size_t(4 * groups));
    CounterRng(seed_, RngStream::quantize, layer_)
        .blocks(ctx.step, std::uint32_t(c * groups), groups, direct_sub, words_.data());
    for (int r = 0; r < rows; ++r) {
        if (dw_[r] == 0) continue;
        const double granules = dw_[r] / eps_for(dw_[r] > 0);
        apply_pulses(r, c, static_cast<int>(std::floor(granules + r123::u01<float>(words_[r]))),
                     ctx);
    }
}

void CrossbarLayer::write_time(int r, int c, float dw, StepContext& ctx) {
    // Seed 000 (TIME): the update is tuned into the array by the write circuits. Changes below
    // half a programming granule cannot be resolved and are not written.
    OpCounts& up = (*ctx.counts)[Stage::update];
    const double eps = scheme_.eps;
    if (std::abs(dw) < 0.5 * eps) return;
    const double target = weight(r, c) + dw;
    const double band = scheme_.write_tolerance * eps;
    auto apply = [&](int p) {
        program_pairs(r, c, p, ctx.step, up);
        count_pulses(r, c, p);
    };
    if (scheme_.write_scheme == "gradual") {
        // Gradually-write: one open-loop train of nominal-size pulses, no verify.
        apply(static_cast<int>(std::lround(dw / eps)));
        return;
    }
    double step_estimate = eps; // weight change per pulse, learnt per weight by "tolerant"
    for (int it = 0; it < scheme_.write_max_iterations; ++it) {
        const double before = weight(r, c);
        ++up.verify_reads;
        const double error = target - before;
        if (std::abs(error) <= band) return;
        int p;
        if (scheme_.write_scheme == "verify") {
            p = error > 0 ? 1 : -1; // classic write-and-verify: one pulse, then read back
        } else {
            // Variability-tolerant tuning: size the next train from the response this very
            // device showed to the previous one, so device-to-device spread costs no extra rounds.
            p = static_cast<int>(std::lround(error / step_estimate));
            if (p == 0) p = error > 0 ? 1 : -1;
        }
        apply(p);
        const double moved = weight(r, c) - before;
        if (scheme_.write_scheme == "tolerant" && moved * p > 0)
            step_estimate = std::clamp(moved / p, 0.1 * eps, 10 * eps);
    }
    ++up.verify_reads;
}

void CrossbarLayer::count_over(TransferBand band) {
    over_.assign(std::size_t(outputs()), 0);
    for (int r = 0; r < outputs(); ++r) {
        const auto row = chi_.row(r).head(inputs()).array();
        over_[r] = std::int32_t((row >= band.up || row <= -band.down).count());
    }
    over_band_ = band;
}

namespace {

/// One row of chi (padded to a multiple of 16 columns, s zero in the padding):
/// row[c] = fma(s[c], d, row[c]) on every 16-column chunk holding a driven column (bit c % 16 of
/// active[c / 16]); other chunks have s = +-0 and would not change, so they are not touched.
/// The driven columns with row[c] in `band` are listed in `hits` in ascending order.
/// Returns the change of the number of the row's first `cols` entries in the band.
int accumulate_row(float* row, const float* s, float d, const std::uint16_t* active, int ld,
                   int cols, TransferBand band, int* hits, int& n_hits) {
    int change = 0;
    n_hits = 0;
#if defined(__AVX512F__)
    const __m512 dv = _mm512_set1_ps(d), up = _mm512_set1_ps(band.up),
                 down = _mm512_set1_ps(-band.down);
    const auto in_band = [&](__m512 v) {
        return __mmask16(_mm512_cmp_ps_mask(v, up, _CMP_GE_OQ) |
                         _mm512_cmp_ps_mask(v, down, _CMP_LE_OQ));
    };
    for (int c = 0; c < ld; c += 16) {
        const unsigned driven = active[c / 16];
        if (!driven) continue;
        const __m512 old = _mm512_loadu_ps(row + c);
        const __m512 v = _mm512_fmadd_ps(_mm512_loadu_ps(s + c), dv, old);
        _mm512_storeu_ps(row + c, v);
        const __mmask16 was = in_band(old);
        const __mmask16 ge = in_band(v);
        if (!(ge | was)) continue; // the common case: nothing in the band
        const unsigned valid = cols - c >= 16 ? 0xffffu : (1u << std::max(0, cols - c)) - 1u;
        change += std::popcount(unsigned(ge) & valid) - std::popcount(unsigned(was) & valid);
        for (unsigned h = unsigned(ge) & driven; h; h &= h - 1)
            hits[n_hits++] = c + std::countr_zero(h);
    }
#else
    for (int c = 0; c < ld; ++c) {
        if (!active[c / 16]) continue;
        const bool was = band.holds(row[c]);
        row[c] = std::fma(s[c], d, row[c]);
        const bool ge = band.holds(row[c]);
        if (c < cols) change += int(ge) - int(was);
        if (ge && ((active[c / 16] >> (c % 16)) & 1u)) hits[n_hits++] = c;
    }
#endif
    return change;
}

} // namespace

void CrossbarLayer::commit_rank1(const Vec& x, const Vec& delta, float scale, StepContext& ctx) {
    OpCounts& up = (*ctx.counts)[Stage::update];
    const Vec* xs = &x;
    const Vec* ds = &delta;
    if (scheme_.quantize_bits > 0) {
        quantize(x, xq_, ctx.step, 0);
        quantize(delta, dq_, ctx.step, 1);
        xs = &xq_;
        ds = &dq_;
        up.activations += std::uint64_t(x.size() + delta.size()); // scaling + rounding
    }
    const float eps_min = static_cast<float>(std::min(eps_for(true), eps_for(false)));
    const int rows = outputs(), cols = inputs();
    const float* d = ds->data();
    nz_.clear();
    for (int r = 0; r < rows; ++r)
        if (d[r] != 0) nz_.push_back(r);
    const bool sparse_delta = scheme_.quantize_bits > 0;
    const std::uint64_t delta_nnz = sparse_delta ? std::uint64_t(nz_.size()) : std::uint64_t(rows);
    // Driven columns as one bit each (16 per word) and s = scale * x per column, zero in the
    // padding of chi's rows.
    const int ld = (cols + 15) / 16 * 16;
    s_.resize(ld);
    active_.resize(std::size_t(ld / 16));
    std::uint64_t driven = 0;
    for (int c0 = 0; c0 < ld; c0 += 16) {
        unsigned bits = 0;
        for (int j = 0; j < 16; ++j) {
            const int c = c0 + j;
            const float xc = c < cols ? (*xs)[c] : 0.0f;
            s_[c] = scale * xc;
            bits |= unsigned(xc != 0) << j;
        }
        active_[std::size_t(c0 / 16)] = std::uint16_t(bits);
        driven += unsigned(std::popcount(bits));
    }
    // Only the non-zero products are computed and touch the chi memory (seed 002 sec. 3).
    up.digital_macs += driven * delta_nnz;
    up.chi_reads += driven * delta_nnz;
    up.chi_writes += driven * delta_nnz;
    // mca transfers once chi reaches a granule (eps up or down); time and nearest-rounding
    // direct act on dW of half a granule or more; truncating direct on a whole one; stochastic
    // direct on any non-zero dW.
    const bool truncate = kind_ == Kind::direct && scheme_.direct_rounding == "truncate";
    const float threshold = truncate ? eps_min : 0.5f * eps_min;
    const bool stochastic = direct_stochastic();
    if (kind_ == Kind::mca) {
        // chi is row-major: an error row updates one contiguous row of chi. A zero error leaves
        // chi exactly as it is (chi + s * 0 = chi; chi is never -0) and an undriven column
        // (s = +-0) too, so only the non-zero error rows are visited, plus rows that still hold
        // entries at or above the threshold (they are examined again when their column is
        // driven). chi += s d is one fused multiply-add per entry, as the column-wise Eigen
        // expression compiled to; transfers within a row run in ascending column order, so
        // every per-row sum (the tile's row readout) adds in the same order as before.
        const TransferBand band{float(eps_for(true)), float(eps_for(false))};
        if (over_band_ != band) count_over(band);
        hits_.resize(std::size_t(ld));
        for (int r = 0; r < rows; ++r) {
            if (d[r] == 0 && over_[r] == 0) continue;
            float* row = chi_.row(r).data();
            int n_hits = 0;
            int left = over_[r] + accumulate_row(row, s_.data(), d[r], active_.data(), ld, cols,
                                                 band, hits_.data(), n_hits);
            for (int h = 0; h < n_hits; ++h) {
                const int c = hits_[h];
                transfer(r, c, 0.0f, ctx);
                left -= !band.holds(row[c]);
            }
            over_[r] = left;
        }
        return;
    }
    dw_.resize(rows);
    // A zero error gives dW = 0: when the errors are sparse only their rows are computed.
    const bool sparse = 4 * nz_.size() <= std::size_t(rows);
    for (int c = 0; c < cols; ++c) {
        const float xc = (*xs)[c];
        if (xc == 0) continue;
        const float s = scale * xc;
        if (stochastic) {
            dw_.noalias() = s * *ds;
            round_column_stochastic(c, ctx);
            continue;
        }
        if (sparse) {
            for (const int r : nz_)
                dw_[r] = s * d[r];
            for (const int r : nz_)
                if (std::abs(dw_[r]) >= threshold) transfer(r, c, dw_[r], ctx);
            continue;
        }
        dw_.noalias() = s * *ds;
        // Most columns cross no threshold: one vectorised test before the scalar loop.
        if (dw_.cwiseAbs().maxCoeff() < threshold) continue;
        for (int r = 0; r < rows; ++r)
            if (std::abs(dw_[r]) >= threshold) transfer(r, c, dw_[r], ctx);
    }
}

void CrossbarLayer::commit(const Matrix& dW, StepContext& ctx) {
    OpCounts& up = (*ctx.counts)[Stage::update];
    over_band_ = {};
    const bool stochastic = direct_stochastic();
    for (int c = 0; c < inputs(); ++c) {
        for (int r = 0; r < outputs(); ++r) {
            const float d = dW(r, c);
            if (d == 0) continue;
            ++up.digital_macs;
            ++up.chi_reads;
            ++up.chi_writes;
            if (!stochastic) transfer(r, c, d, ctx);
        }
        if (stochastic) {
            dw_ = dW.col(c);
            round_column_stochastic(c, ctx);
        }
    }
}

void CrossbarLayer::end_of_image(StepContext& ctx) {
    // Seed 002 section 2.3: a weight refresh every 100 training images.
    const bool refresh = scheme_.refresh_interval > 0 &&
                         (ctx.step + 1) % std::uint64_t(scheme_.refresh_interval) == 0;
    for (CrossbarTile& t : tiles_) {
        t.advance_time(seconds_per_image_);
        if (refresh) t.refresh(ctx.step, (*ctx.counts)[Stage::refresh]);
    }
}

std::unique_ptr<WeightLayer<float>> CrossbarLayer::clone() const {
    return std::make_unique<CrossbarLayer>(*this);
}

namespace {
// The tile's state arrays by session name (synapse order s = c * rows + r) and their units.
template <typename State, typename F>
void for_each_tile_array(State& s, F&& f) {
    f("g_plus", s.g_plus_uS, "uS");
    f("g_minus", s.g_minus_uS, "uS");
    f("t_p_plus", s.t_p_plus_s, "s");
    f("t_p_minus", s.t_p_minus_s, "s");
    f("n_plus", s.n_plus, "pulses");
    f("n_minus", s.n_minus, "pulses");
    f("nu_plus_code", s.nu_plus, "code");
    f("nu_minus_code", s.nu_minus, "code");
    f("cache_w", s.cache_w, "weight");
    f("cache_sigma_code", s.cache_sigma_code, "code");
    f("cache_row_sum", s.cache_row_sum, "weight");
}
} // namespace

namespace {
/// Where pair i of a multi-memristive synapse keeps its tile arrays: the layer's own prefix
/// for the first (so one-pair sessions look as they always did), "pair_i/" below it for others.
std::string pair_prefix(const std::string& layer_prefix, std::size_t i) {
    return i == 0 ? layer_prefix : layer_prefix + "pair_" + std::to_string(i) + "/";
}
} // namespace

void CrossbarLayer::save_state(const std::string& layer_prefix, StateArrays& out) const {
    for (std::size_t i = 0; i < tiles_.size(); ++i) {
        const std::string p = pair_prefix(layer_prefix, i);
        const TileState s = tiles_[i].state();
        // Per-device planes are stored as [inputs][outputs] (synapse order), other arrays flat.
        const std::size_t n = std::size_t(s.rows) * std::size_t(s.cols);
        for_each_tile_array(s, [&](const char* name, const auto& v, const char* unit) {
            put_array(out, p + name, v,
                      v.size() == n
                          ? std::vector<std::size_t>{std::size_t(s.cols), std::size_t(s.rows)}
                          : std::vector<std::size_t>{v.size()},
                      unit);
        });
        put_array(out, p + "tile_times",
                  std::vector<double>{s.time_s, s.cache_time_s, s.cache_min_age_s,
                                      s.cache_first_program_s},
                  {4}, "s");
        put_array(out, p + "drift_reference", std::vector<double>{s.drift_compensation_ref}, {1},
                  "weight");
    }
    if (tiles_.size() > 1)
        put_array(out, layer_prefix + "arbiter", std::vector<std::uint32_t>{arbiter_}, {1},
                  "pulses");
    if (chi_.size()) put_matrix(out, layer_prefix + "chi", chi(), "weight");
    put_matrix(out, layer_prefix + "pulses_epoch", pulses_epoch_.cast<std::uint32_t>(), "pulses");
}

void CrossbarLayer::load_state(const std::string& layer_prefix, const StateArrays& in) {
    for (std::size_t i = 0; i < tiles_.size(); ++i) {
        const std::string p = pair_prefix(layer_prefix, i);
        TileState s;
        s.rows = outputs();
        s.cols = inputs();
        for_each_tile_array(s, [&](const char* name, auto& dst, const char*) {
            const auto it = in.find(p + name);
            if (it == in.end()) throw InputError("session state: " + p + name + " is missing");
            const auto* v = std::get_if<std::decay_t<decltype(dst)>>(&it->second.data);
            if (!v) throw InputError("session state: " + p + name + " has the wrong element type");
            dst = *v;
        });
        const auto& times = get_array<double>(in, p + "tile_times", 4);
        s.time_s = times[0];
        s.cache_time_s = times[1];
        s.cache_min_age_s = times[2];
        s.cache_first_program_s = times[3];
        s.drift_compensation_ref = get_array<double>(in, p + "drift_reference", 1)[0];
        tiles_[i].restore(s); // validates every array's size against the tile
    }
    arbiter_ = tiles_.size() > 1 ? get_array<std::uint32_t>(in, layer_prefix + "arbiter", 1)[0] : 0;
    if (chi_.size()) {
        Eigen::MatrixXf chi(outputs(), inputs());
        get_matrix(in, layer_prefix + "chi", chi);
        chi_.leftCols(inputs()) = chi;
    }
    over_band_ = {};
    Eigen::Matrix<std::uint32_t, Eigen::Dynamic, Eigen::Dynamic> pulses(outputs(), inputs());
    get_matrix(in, layer_prefix + "pulses_epoch", pulses);
    pulses_epoch_ = pulses.cast<std::uint16_t>();
}

void CrossbarLayer::fill_picture(LayerPicture& p) const {
    // A multi-memristive synapse shows its total conductances, which W = beta / N sum reads.
    p.g_plus_uS = tiles_.front().g_plus_uS();
    p.g_minus_uS = tiles_.front().g_minus_uS();
    for (std::size_t i = 1; i < tiles_.size(); ++i) {
        p.g_plus_uS += tiles_[i].g_plus_uS();
        p.g_minus_uS += tiles_[i].g_minus_uS();
    }
    p.pulses_epoch = pulses_epoch_.cast<float>();
    p.beta_per_uS = tiles_.front().config().beta_per_uS;
    p.pairs_per_weight = int(tiles_.size());
}

SynapseReading CrossbarLayer::read_synapse(int row, int col) const {
    // One device each: traces are recorded after every image, so this must not read the array.
    SynapseReading s;
    s.g_plus_uS = s.g_minus_uS = 0;
    for (const CrossbarTile& t : tiles_) {
        s.g_plus_uS += t.conductance_uS(row, col, 0);
        s.g_minus_uS += t.conductance_uS(row, col, 1);
    }
    s.weight = weight(row, col);
    return s;
}

void CrossbarLayer::apply_hot(const SchemeConfig& next, const TileConfig& t) {
    if (next.type != scheme_.type)
        throw InputError("scheme.type is structural: press Reset to change the training scheme");
    scheme_ = next;
    for (CrossbarTile& tile : tiles_) {
        tile.set_read_noise(t.read_noise, t.read_noise_scale);
        tile.set_drift(t.drift);
        tile.set_refresh_threshold_uS(t.refresh_threshold_uS);
    }
}

void CrossbarLayer::age(double seconds, bool drift_compensation) {
    // Seed 002 Fig. 3E: inference at a time after training; the compensation reference is the
    // array's readout at the end of training.
    for (CrossbarTile& t : tiles_) {
        if (drift_compensation)
            t.calibrate_drift_compensation();
        else
            t.clear_drift_compensation();
        t = t.at_time(t.time_s() + seconds);
    }
}

} // namespace cbl
