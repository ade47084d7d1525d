#include "core/training/crossbar_layer.hpp"

#include "core/common/param_error.hpp"
#include "core/common/rng.hpp"

#include <Random123/uniform.hpp>

#include <algorithm>
#include <cmath>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace cbl {

namespace {
// Seed 002 section 2.1 maps weights to conductances "with an optional scaling factor": with
// tile.beta_fan_in = N a layer of n inputs gets beta sqrt(N / n), the 1/sqrt(fan-in) of He and
// Glorot initialisation, so each layer starts at the scale its fan-in needs.
double beta_scale(const TileConfig& tile, int fan_in) {
    return tile.beta_fan_in > 0 ? std::sqrt(double(tile.beta_fan_in) / fan_in) : 1.0;
}
// One pair's tile: the layer's beta, shared by Boybat's multi-memristive synapse (N pairs per
// weight, each with beta / N).
TileConfig per_pair(const TileConfig& tile, double scale) {
    TileConfig pair = tile;
    pair.beta_per_uS = tile.beta_per_uS * scale / tile.pairs_per_weight;
    return pair;
}
// The granule eps is in weight units: it scales with beta, so one pulse is the same step in uS.
SchemeConfig scaled(SchemeConfig scheme, double scale) {
    scheme.eps *= scale;
    scheme.eps_up *= scale;
    scheme.eps_down *= scale;
    return scheme;
}
} // namespace

CrossbarLayer::CrossbarLayer(int rows, int cols, const TileConfig& tile, const SchemeConfig& scheme,
                             double seconds_per_image, std::uint64_t seed, std::uint32_t layer)
    : beta_scale_(beta_scale(tile, cols)), config_(scaled(scheme, beta_scale_)),
      single_(tile.mapping == WeightMapping::single),
      reset_only_(single_ && DevicePhysics(tile.device).depresses_by_reset()),
      seconds_per_image_(seconds_per_image), seed_(seed), layer_(layer), pulses_epoch_(rows, cols) {
    scheme.validate();
    tile.validate();
    scheme_ = make_update_scheme(config_, rows, cols, single_, seed, layer);
    fixed_scale_ = config_.quantize_scale == "fixed";
    nearest_ = config_.quantize_rounding == "nearest";
    for (int i = 0; i < tile.pairs_per_weight; ++i)
        tiles_.emplace_back(rows, cols, per_pair(tile, beta_scale_), seed,
                            layer + (std::uint32_t(i) << 12));
    if (tiles_.size() > 1) sum_.push_back(TileGrid::summed_reader(tiles_));
    pulses_epoch_.setZero();
}

CrossbarLayer::CrossbarLayer(const CrossbarLayer& o)
    : DeviceLayer(o), SynapseArray(o), tiles_(o.tiles_), sum_(o.sum_), arbiter_(o.arbiter_),
      beta_scale_(o.beta_scale_), config_(o.config_), scheme_(o.scheme_->clone()),
      single_(o.single_), reset_only_(o.reset_only_), fixed_scale_(o.fixed_scale_),
      nearest_(o.nearest_), seconds_per_image_(o.seconds_per_image_), seed_(o.seed_),
      layer_(o.layer_), pulses_epoch_(o.pulses_epoch_) {}

// Every pair of a multi-memristive synapse carries an equal share, as a pulse would.
void CrossbarLayer::shift_initial(int r, int c, double value) {
    readers_.drop();
    for (TileGrid& t : tiles_)
        t.shift_initial(r, c, value / double(tiles_.size()));
    sync_sum();
}

void CrossbarLayer::sync_sum() {
    if (!sum_.empty()) sum_.front().sync_sum(tiles_);
}

namespace {
/// The read-noise key of one MVM: the training step, and for a matrix read at several positions
/// within the step (a convolution) the position above bit 40, so the positions of one image draw
/// independent noise (position 0, every dense read, keeps the step alone).
std::uint64_t read_key(std::uint64_t step, std::uint32_t position) {
    return step + (std::uint64_t(position) << 40);
}
std::uint64_t read_key(const StepContext& ctx) {
    return read_key(ctx.step, ctx.position);
}
} // namespace

void CrossbarLayer::forward(const Vec& x, Vec& z, StepContext& ctx) {
    readers_.drop();
    z.resize(outputs());
    reads().forward(x, z, read_key(ctx), (*ctx.counts)[Stage::forward]);
}

void CrossbarLayer::backward(const Vec& d, Vec& out, StepContext& ctx) {
    readers_.drop();
    out.resize(inputs());
    reads().backward(d, out, read_key(ctx), (*ctx.counts)[Stage::backward]);
}

void CrossbarLayer::backward_many(const Matrix& D, Matrix& Out, StepContext& ctx) {
    readers_.drop();
    keys_.resize(std::size_t(D.cols()));
    for (std::size_t p = 0; p < keys_.size(); ++p)
        keys_[p] = read_key(ctx.step, std::uint32_t(p));
    reads().backward_many(D, Out, keys_.data(), (*ctx.counts)[Stage::backward]);
}

CrossbarLayer::ReaderCopies::Copy CrossbarLayer::ReaderCopies::take(const TileGrid& grid) const {
    {
        const std::lock_guard<std::mutex> hold(lock_);
        if (!free_.empty()) {
            Copy c = std::move(free_.back());
            free_.pop_back();
            return c;
        }
    }
    return std::make_unique<TileGrid>(grid);
}

void CrossbarLayer::ReaderCopies::give_back(Copy copy) const {
    const std::lock_guard<std::mutex> hold(lock_);
    free_.push_back(std::move(copy));
}

void CrossbarLayer::forward_batch(const Matrix& x, Matrix& z, std::uint64_t eval_step) const {
    // Inference reads the array as training would (drift, read noise, converters) on a copy, so
    // evaluation never disturbs the training state; read noise is keyed apart from training.
    // A kept copy reads as a fresh one: its cache was refreshed at the same device state and time.
    ReaderCopies::Copy copy = readers_.take(reads());
    OpCounts ignored;
    z.resize(outputs(), x.cols());
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
        const std::uint64_t step = (1ull << 63) | (eval_step << 16) | std::uint64_t(j);
        copy->forward(x.col(j), z.col(j), step, ignored);
    }
    readers_.give_back(std::move(copy));
}

CrossbarLayer::Matrix CrossbarLayer::weights() const {
    Matrix w = tiles_.front().weights();
    for (std::size_t i = 1; i < tiles_.size(); ++i)
        w += tiles_[i].weights();
    return w;
}

int CrossbarLayer::program(int r, int c, int p, StepContext& ctx, int train) {
    if (p == 0) return 0;
    // A single PCM device is depressed by one RESET, whatever the count (seed 002 A.2.4).
    if (reset_only_ && p < 0) p = -1;
    p = std::clamp(p, -max_pulses_per_program, max_pulses_per_program);
    OpCounts& ops = (*ctx.counts)[Stage::update];
    const int n = int(tiles_.size());
    if (n == 1) {
        tiles_.front().program(r, c, p, ctx.step, ops, train);
    } else {
        // Boybat's arbiter deals the pulses out round-robin, each pair's share in one train.
        const int total = std::abs(p), sign = p > 0 ? 1 : -1;
        for (int j = 0; j < std::min(n, total); ++j) {
            const int share = total / n + (j < total % n ? 1 : 0);
            tiles_[arbiter_++ % std::uint32_t(n)].program(r, c, sign * share, ctx.step, ops, train);
        }
    }
    count_pulses(r, c, p);
    return p;
}

void CrossbarLayer::prefetch(int r, int c) const {
    if (r < 0 || r >= outputs() || c < 0 || c >= int(pulses_epoch_.cols())) return;
    __builtin_prefetch(&pulses_epoch_(r, c), 1);
    for (const TileGrid& t : tiles_)
        t.prefetch(r, c);
}

float CrossbarLayer::weight(int r, int c) const {
    float w = 0;
    for (const TileGrid& t : tiles_)
        w += t.weight(r, c);
    return w;
}

double CrossbarLayer::nominal_pulse_weight(int r, int c, bool up) const {
    // The pair the arbiter hands the next pulse to, divided as weight() sums the pairs.
    return tiles_[arbiter_ % std::uint32_t(tiles_.size())].nominal_pulse_weight(r, c, up);
}

void CrossbarLayer::quantize(const Vec& v, Vec& q, std::uint64_t step, std::uint32_t which) {
    // Seed 002 section 3: activations and errors as signed n-bit numbers sharing one scale
    // factor; values beyond full scale clip. Stochastic rounding keeps dW unbiased.
    const auto& ranges = config_.quantize_delta_range;
    const double delta_range = ranges[std::min<std::size_t>(layer_, ranges.size() - 1)];
    const float scale =
        fixed_scale_ ? static_cast<float>(which == 0 ? config_.quantize_x_range : delta_range)
                     : v.cwiseAbs().maxCoeff();
    q.resize(v.size());
    if (scale == 0) {
        q.setZero();
        return;
    }
    const float levels = float((1 << (config_.quantize_bits - 1)) - 1);
    auto clipped = [&](Eigen::Index k) {
        return std::clamp(v[k] / scale * levels, -levels, levels);
    };
    if (nearest_) {
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
    // |pulses| <= max_pulses_per_program (program() bounds them).
    const int n = pulses_epoch_(r, c) + std::abs(pulses);
    pulses_epoch_(r, c) = static_cast<std::uint16_t>(std::min(n, 65535));
}

void CrossbarLayer::commit_rank1(const Vec& x, const Vec& delta, float scale, StepContext& ctx) {
    readers_.drop();
    OpCounts& up = (*ctx.counts)[Stage::update];
    const Vec* xs = &x;
    const Vec* ds = &delta;
    if (config_.quantize_bits > 0) {
        quantize(x, xq_, ctx.step, 0);
        quantize(delta, dq_, ctx.step, 1);
        xs = &xq_;
        ds = &dq_;
        up.activations += std::uint64_t(x.size() + delta.size()); // scaling + rounding
    }
    nz_.clear();
    for (int r = 0; r < outputs(); ++r)
        if ((*ds)[r] != 0) nz_.push_back(r);
    if (!scheme_->forms_update_in_array()) {
        const std::uint64_t driven = std::uint64_t((xs->array() != 0).count());
        const std::uint64_t delta_nnz =
            config_.quantize_bits > 0 ? std::uint64_t(nz_.size()) : std::uint64_t(outputs());
        // Only the non-zero products are computed and touch the chi memory (seed 002 sec. 3).
        up.digital_macs += driven * delta_nnz;
        up.chi_reads += driven * delta_nnz;
        up.chi_writes += driven * delta_nnz;
    }
    scheme_->commit_rank1(*xs, *ds, scale, nz_, *this, ctx);
    sync_sum();
}

void CrossbarLayer::commit(const Matrix& dW, StepContext& ctx) {
    readers_.drop();
    OpCounts& up = (*ctx.counts)[Stage::update];
    const auto nnz = std::uint64_t((dW.array() != 0).count());
    up.digital_macs += nnz;
    up.chi_reads += nnz;
    up.chi_writes += nnz;
    scheme_->commit(dW, *this, ctx);
    sync_sum();
}

void CrossbarLayer::end_of_image(StepContext& ctx) {
    readers_.drop();
    // Seed 002 section 2.3: a weight refresh every 100 training images.
    const bool refresh = config_.refresh_interval > 0 &&
                         (ctx.step + 1) % std::uint64_t(config_.refresh_interval) == 0;
    for (TileGrid& t : tiles_) {
        t.advance_time(seconds_per_image_);
        if (refresh) t.refresh(ctx.step, (*ctx.counts)[Stage::refresh]);
    }
    sync_sum();
}

std::unique_ptr<WeightLayer<float>> CrossbarLayer::clone() const {
    return std::make_unique<CrossbarLayer>(*this);
}

namespace {
/// Where pair i of a multi-memristive synapse keeps its arrays: the layer's own prefix for the
/// first (so one-pair sessions look as they always did), "pair_i/" below it for others.
std::string pair_prefix(const std::string& layer_prefix, std::size_t i) {
    return i == 0 ? layer_prefix : layer_prefix + "pair_" + std::to_string(i) + "/";
}
} // namespace

void CrossbarLayer::save_state(const std::string& layer_prefix, StateArrays& out) const {
    for (std::size_t i = 0; i < tiles_.size(); ++i)
        tiles_[i].save_state(pair_prefix(layer_prefix, i), out);
    if (tiles_.size() > 1)
        put_array(out, layer_prefix + "arbiter", std::vector<std::uint32_t>{arbiter_}, {1},
                  "pulses");
    scheme_->save_state(layer_prefix, out);
    put_matrix(out, layer_prefix + "pulses_epoch", pulses_epoch_.cast<std::uint32_t>(), "pulses");
}

void CrossbarLayer::load_state(const std::string& layer_prefix, const StateArrays& in) {
    readers_.drop();
    for (std::size_t i = 0; i < tiles_.size(); ++i)
        tiles_[i].load_state(pair_prefix(layer_prefix, i), in);
    arbiter_ = tiles_.size() > 1 ? get_array<std::uint32_t>(in, layer_prefix + "arbiter", 1)[0] : 0;
    scheme_->load_state(layer_prefix, in);
    Eigen::Matrix<std::uint32_t, Eigen::Dynamic, Eigen::Dynamic> pulses(outputs(), inputs());
    get_matrix(in, layer_prefix + "pulses_epoch", pulses);
    pulses_epoch_ = pulses.cast<std::uint16_t>();
    sync_sum();
}

void CrossbarLayer::fill_picture(LayerPicture& p) const {
    // A multi-memristive synapse shows its total conductances, which W = beta / N sum reads.
    // One device per weight is read against a fixed reference (seed 002's single mapping): no
    // G- device exists, so the picture has none.
    const bool pair = tiles_.front().config().devices_per_synapse() == 2;
    p.g_plus_uS = tiles_.front().g_plus_uS();
    if (pair) p.g_minus_uS = tiles_.front().g_minus_uS();
    for (std::size_t i = 1; i < tiles_.size(); ++i) {
        p.g_plus_uS += tiles_[i].g_plus_uS();
        if (pair) p.g_minus_uS += tiles_[i].g_minus_uS();
    }
    p.pulses_epoch = pulses_epoch_.cast<float>();
    p.beta_per_uS = tiles_.front().config().beta_per_uS;
    p.pairs_per_weight = int(tiles_.size());
    scheme_->fill_picture(p);
}

SynapseReading CrossbarLayer::read_synapse(int row, int col) const {
    // One device each: traces are recorded after every image, so this must not read the array.
    SynapseReading s;
    s.pair = tiles_.front().config().devices_per_synapse() == 2;
    for (const TileGrid& t : tiles_) {
        s.g_plus_uS += t.conductance_uS(row, col, 0);
        if (s.pair) s.g_minus_uS += t.conductance_uS(row, col, 1);
    }
    s.weight = weight(row, col);
    return s;
}

void CrossbarLayer::apply_hot(const SchemeConfig& scheme, const TileConfig& tile) {
    readers_.drop();
    if (scheme.type != config_.type)
        throw InputError("scheme.type is structural: press Reset to change the training scheme");
    config_ = scaled(scheme, beta_scale_);
    scheme_->configure(config_);
    fixed_scale_ = config_.quantize_scale == "fixed";
    nearest_ = config_.quantize_rounding == "nearest";
    for (TileGrid& t : tiles_)
        t.configure(per_pair(tile, beta_scale_));
    for (TileGrid& t : sum_)
        t.configure(per_pair(tile, beta_scale_));
    sync_sum();
}

void CrossbarLayer::set_seconds_per_image(double seconds) {
    readers_.drop();
    require_range("training.seconds_per_image", seconds, 0, 1e6, "s");
    seconds_per_image_ = seconds;
}

void CrossbarLayer::age(double seconds, bool drift_compensation) {
    readers_.drop();
    // Seed 002 Fig. 3E: inference at a time after training; the compensation reference is the
    // array's readout at the end of training.
    // The compensation reference is the readout of the grid that is read (with several pairs,
    // their sum).
    if (drift_compensation)
        reads().calibrate_drift_compensation();
    else
        reads().clear_drift_compensation();
    for (TileGrid& t : tiles_)
        t = t.at_time(t.time_s() + seconds);
    sync_sum();
}

} // namespace cbl
