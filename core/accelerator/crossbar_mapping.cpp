#include "core/accelerator/crossbar_mapping.hpp"

#include "core/common/rng.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <type_traits>

namespace cbl {

AcceleratorCounts& AcceleratorCounts::operator+=(const AcceleratorCounts& o) {
    mvms += o.mvms;
    cycles += o.cycles;
    crossbar_reads += o.crossbar_reads;
    dac_drives += o.dac_drives;
    active_cells += o.active_cells;
    active_levels += o.active_levels;
    adc_conversions += o.adc_conversions;
    for (std::size_t b = 0; b < adc_by_bits.size(); ++b)
        adc_by_bits[b] += o.adc_by_bits[b];
    shift_adds += o.shift_adds;
    buffer_values += o.buffer_values;
    planes_possible += o.planes_possible;
    return *this;
}

double AcceleratorCounts::adc_bits_per_conversion() const {
    double steps = 0;
    for (std::size_t b = 0; b < adc_by_bits.size(); ++b)
        steps += double(b) * double(adc_by_bits[b]);
    return adc_conversions ? steps / double(adc_conversions) : 0.0;
}

CrossbarMapping::CrossbarMapping(const Eigen::MatrixXd& weights, const AcceleratorConfig& config,
                                 std::uint32_t layer)
    : config_(config), layer_(layer) {
    const AcceleratorHardware& hw = config.hardware;
    const int bpc = hw.bits_per_cell;
    const double qmax = std::ldexp(1.0, hw.weight_bits - 1) - 1;
    // Symmetric per-layer quantisation: the largest |w| maps to the largest integer.
    const double largest = weights.cwiseAbs().maxCoeff();
    weight_scale_ = largest > 0 ? largest / qmax : 1.0;
    wq_ = (weights / weight_scale_).array().round().max(-qmax).min(qmax).matrix();
    // ISAAC stores w + 2^(N-1) (offset binary); the encoding gives each column its own zero.
    zero_ = config.options.encoding ? Eigen::VectorXd(wq_.rowwise().minCoeff())
                                    : Eigen::VectorXd::Constant(outputs(), -(qmax + 1));
    const Eigen::MatrixXd u = wq_.colwise() - zero_;

    slices_ = (hw.weight_bits + bpc - 1) / bpc;
    col_tiles_ = (outputs() * slices_ + hw.cols - 1) / hw.cols;
    const int top = (1 << bpc) - 1;
    slice_levels_.resize(slices_);
    for (int s = 0; s < slices_; ++s)
        slice_levels_[s] =
            u.unaryExpr([&](double v) { return double((std::int64_t(v) >> (bpc * s)) & top); });

    for (int row0 = 0; row0 < inputs(); row0 += hw.rows) {
        Tile t;
        t.row0 = row0;
        t.rows = std::min(hw.rows, inputs() - row0);
        tiles_.push_back(std::move(t));
    }
    // ISAAC's flip: a tile column whose level sum exceeds half the top sum is stored as
    // top - level, so no column sum exceeds top * rows / 2 (one ADC bit less).
    flips_.assign(slices_, Eigen::MatrixXd::Zero(outputs(), row_tiles()));
    if (hw.column_flip)
        for (int s = 0; s < slices_; ++s)
            for (int k = 0; k < row_tiles(); ++k) {
                const Tile& t = tiles_[k];
                const Eigen::VectorXd sums =
                    slice_levels_[s].middleCols(t.row0, t.rows).rowwise().sum();
                flips_[s].col(k) = (2 * sums.array() > double(top) * t.rows).cast<double>();
            }
    set_adc(hw.adc_bits, false);
}

int CrossbarMapping::columns_per_array() const {
    return std::min(config_.hardware.cols, outputs() * slices_);
}

void CrossbarMapping::set_adc(int bits, bool ideal, int cutoff) {
    adc_bits_ = bits;
    adc_ideal_ = ideal;
    adc_cutoff_ = cutoff;
    plan();
}

int CrossbarMapping::resolved_bits(int plane, int slice) const {
    if (adc_cutoff_ == INT_MIN) return adc_bits_;
    const int position = plane + config_.hardware.bits_per_cell * slice;
    return std::clamp(position + adc_bits_ - adc_cutoff_, 0, adc_bits_);
}

void CrossbarMapping::plan() {
    const AcceleratorHardware& hw = config_.hardware;
    const int bpc = hw.bits_per_cell;
    const double top = double((1 << bpc) - 1);
    const bool ideal_devices = hw.variability_levels == 0 && hw.read_noise_levels == 0;
    const double adc_max = std::ldexp(1.0, adc_bits_) - 1;
    const CounterRng rng(hw.seed, RngStream::variability, layer_);
    exact_ = Eigen::MatrixXd::Zero(outputs(), inputs());
    for (int k = 0; k < row_tiles(); ++k) {
        Tile& t = tiles_[k];
        std::vector<Eigen::RowVectorXd> stacked;
        std::vector<int> flipped, stored_sum;
        t.output.clear();
        t.slice_begin.assign(1, 0);
        Eigen::VectorXd row_levels = Eigen::VectorXd::Zero(t.rows);
        for (int s = 0; s < slices_; ++s) {
            const auto ideal = slice_levels_[s].middleCols(t.row0, t.rows);
            for (int c = 0; c < outputs(); ++c) {
                const bool flip = flips_[s](c, k) != 0;
                const Eigen::RowVectorXd stored =
                    flip ? Eigen::RowVectorXd((top - ideal.row(c).array()).matrix())
                         : Eigen::RowVectorXd(ideal.row(c));
                row_levels += stored.transpose();
                const double sum = stored.sum();
                // At most half the rows conduct with inverted inputs (encoding).
                const double worst =
                    config_.options.encoding ? std::min(sum, top * (t.rows / 2)) : sum;
                // Plane 0 of this slice resolves every bit: so do all its planes.
                const bool full = resolved_bits(0, s) == adc_bits_;
                const bool lossless =
                    !config_.force_bit_serial && ideal_devices &&
                    (adc_ideal_ || (full && hw.adc_step_log2 == 0 && worst <= adc_max));
                if (lossless) {
                    exact_.block(c, t.row0, 1, t.rows) += std::ldexp(1.0, bpc * s) * ideal.row(c);
                    continue;
                }
                Eigen::RowVectorXd programmed = stored;
                if (hw.variability_levels > 0)
                    for (int r = 0; r < t.rows; ++r)
                        programmed(r) +=
                            hw.variability_levels *
                            rng.normal(std::uint64_t(s), std::uint32_t(c * inputs() + t.row0 + r));
                stacked.push_back(programmed);
                t.output.push_back(c);
                flipped.push_back(flip ? 1 : 0);
                stored_sum.push_back(int(sum));
            }
            t.slice_begin.push_back(int(t.output.size()));
        }
        const auto nl = Eigen::Index(stacked.size());
        t.levels.resize(nl, t.rows);
        for (Eigen::Index i = 0; i < nl; ++i)
            t.levels.row(i) = stacked[std::size_t(i)].cast<float>();
        t.flipped = Eigen::Map<Eigen::ArrayXi>(flipped.data(), nl);
        t.stored_sum = Eigen::Map<Eigen::ArrayXi>(stored_sum.data(), nl);

        // Bit planes of the integer levels (stored levels of ideal devices; row sums always).
        t.words = (t.rows + 63) / 64;
        const auto width = int(std::bit_width(std::uint64_t(row_levels.maxCoeff())));
        t.row_level_bits.assign(std::size_t(width * t.words), 0);
        t.level_total = 0;
        for (int r = 0; r < t.rows; ++r) {
            const auto v = std::uint64_t(row_levels(r));
            t.level_total += v;
            for (int b = 0; b < width; ++b)
                t.row_level_bits[std::size_t(b * t.words + r / 64)] |= ((v >> b) & 1) << (r % 64);
        }
        t.level_bits.clear();
        if (!ideal_devices) continue;
        t.level_bits.assign(std::size_t(bpc * t.words) * std::size_t(nl), 0);
        for (Eigen::Index i = 0; i < nl; ++i)
            for (int r = 0; r < t.rows; ++r) {
                const auto v = std::uint64_t(t.levels(i, r));
                for (int b = 0; b < bpc; ++b)
                    t.level_bits[std::size_t(b * t.words + r / 64) * std::size_t(nl) +
                                 std::size_t(i)] |= ((v >> b) & 1) << (r % 64);
            }
    }
}

namespace {

/// One driven pattern against a block of a tile's stacked rows on ideal devices, in integers
/// (every quantity of the float route is an integer there, so the values are equal).
struct ColumnSums {
    const std::uint64_t* cells; ///< stacked level bits (Tile::level_bits)
    std::size_t stacked;        ///< stacked rows
    const std::uint64_t* driven;
    int words, cells_bits;
    int i0, i1; ///< a block of stacked rows, all of one slice
};

/// Column sum of stacked row i: AND + popcount of the driven plane against each bit of the
/// levels, 64 rows a word. Cells, Words: compile-time sizes (0: the run-time ones).
template <int Cells, int Words>
[[gnu::always_inline]] inline std::int32_t column_sum(const ColumnSums& p, std::size_t i) {
    const int cells = Cells ? Cells : p.cells_bits, words = Words ? Words : p.words;
    std::int32_t sum = 0;
    for (int c = 0; c < cells; ++c)
        for (int w = 0; w < words; ++w)
            sum += std::int32_t(std::popcount(p.driven[w] &
                                              p.cells[std::size_t(c * words + w) * p.stacked + i]))
                   << c;
    return sum;
}

/// The block's column sums into `sums` (from i0); raises `largest`. Vectorises over the rows
/// (AVX-512 VPOPCNTQ there); `p` by value, so the output cannot alias its fields.
template <int Cells, int Words>
void column_sums(const ColumnSums p, std::int32_t* sums, std::int32_t& largest) {
    std::int32_t m = largest;
    for (int i = p.i0; i < p.i1; ++i) {
        const std::int32_t sum = column_sum<Cells, Words>(p, std::size_t(i));
        sums[i - p.i0] = sum;
        m = std::max(m, sum);
    }
    largest = m;
}

void column_sums(const ColumnSums& p, std::int32_t* sums, std::int32_t& largest) {
    if (p.cells_bits == 2 && p.words == 2) return column_sums<2, 2>(p, sums, largest);
    if (p.cells_bits == 2 && p.words == 1) return column_sums<2, 1>(p, sums, largest);
    column_sums<0, 0>(p, sums, largest);
}

/// The ADC on `count` column sums (round half up to the step 2^e, clip to `cap` steps), times
/// the shift-add weight of the planes converting them alike, into `acc`. Unsigned products: a
/// weight may be negative (sanitizer-clean, the same bits).
template <typename Acc>
void add_conversions(const std::int32_t* sums, int count, int e, std::int32_t cap, Acc weight,
                     Acc* acc) {
    using U = std::make_unsigned_t<Acc>;
    if (e == 0) {
        for (int i = 0; i < count; ++i)
            acc[i] = Acc(U(acc[i]) + U(Acc(std::min(sums[i], cap))) * U(weight));
        return;
    }
    const std::int32_t half = std::int32_t(1) << (e - 1);
    for (int i = 0; i < count; ++i) {
        const std::int32_t conv = std::min((sums[i] + half) >> e, cap) << e;
        acc[i] = Acc(U(acc[i]) + U(Acc(conv)) * U(weight));
    }
}

/// Decoding, summed over a vector's planes: a plane's value is a = S - v inverted (S the stored
/// column sum), else v, and q = top ones - a on a flipped column, else a. `acc` holds the sum of
/// ±weight v (minus where inverted); `inverted_weight` = the weights of the inverted planes,
/// `flip_offset` = top times the weighted ones of the planes.
template <typename Acc>
void decode(Acc* acc, int i0, int i1, const int* stored_sum, const int* flipped,
            Acc inverted_weight, Acc flip_offset) {
    using U = std::make_unsigned_t<Acc>;
    for (int i = i0; i < i1; ++i) {
        const U a = U(acc[i]) + U(Acc(stored_sum[i])) * U(inverted_weight);
        acc[i] = Acc(flipped[i] ? U(flip_offset) - a : a);
    }
}

} // namespace

Eigen::MatrixXd CrossbarMapping::mvm(const Eigen::MatrixXd& xq, std::uint64_t key,
                                     AcceleratorCounts& counts, double& max_column_sum,
                                     const std::atomic<bool>* stop) const {
    const AcceleratorHardware& hw = config_.hardware;
    const AcceleratorOptions& opt = config_.options;
    const int nx = hw.input_bits;
    const int bpc = hw.bits_per_cell;
    const float top = float((1 << bpc) - 1);
    const auto n = xq.cols();
    const bool dynamic = opt.dynamic_quantization && !signed_inputs_;
    const std::int64_t mask = (std::int64_t(1) << nx) - 1;
    const float adc_max = float(std::ldexp(1.0, adc_bits_) - 1);
    const float step = float(std::ldexp(1.0, hw.adc_step_log2));
    const CounterRng noise(hw.seed, RngStream::read_noise, layer_);
    const auto poll = [stop] {
        if (stop && stop->load(std::memory_order_relaxed)) throw AcceleratorCancelled();
    };

    // Dynamic quantization (seed 001): per row tile and vector, keep dynamic_bits planes below
    // the leading one of the tile's largest input, rounding to nearest (saturating in the kept
    // planes). Static: every plane is streamed.
    Eigen::MatrixXd xd = xq;
    Eigen::ArrayXXi lo = Eigen::ArrayXXi::Zero(row_tiles(), n);
    Eigen::ArrayXXi hi = Eigen::ArrayXXi::Constant(row_tiles(), n, nx - 1);
    if (dynamic)
        for (int k = 0; k < row_tiles(); ++k) {
            const Tile& t = tiles_[k];
            for (Eigen::Index j = 0; j < n; ++j) {
                auto x = xd.block(t.row0, j, t.rows, 1);
                const auto largest = std::uint64_t(x.maxCoeff());
                if (largest == 0) {
                    hi(k, j) = -1; // nothing to stream
                    continue;
                }
                const int lead = int(std::bit_width(largest)) - 1;
                const int keep_lo = std::max(0, lead - opt.dynamic_bits + 1);
                lo(k, j) = keep_lo;
                hi(k, j) = lead;
                if (keep_lo == 0) continue;
                const double unit = std::ldexp(1.0, keep_lo);
                const double kept_max = std::ldexp(1.0, opt.dynamic_bits) - 1;
                x = ((x.array() / unit).round().min(kept_max) * unit).matrix();
            }
        }

    Eigen::MatrixXd y = Eigen::MatrixXd::Zero(outputs(), n);
    const Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic> xi =
        xd.cast<std::int64_t>().unaryExpr([&](std::int64_t v) { return v & mask; });
    const std::uint64_t columns = std::uint64_t(outputs()) * std::uint64_t(slices_);
    // Conversions of one streamed plane of one vector (the same for every vector).
    std::vector<AcceleratorCounts> plane_adc(static_cast<std::size_t>(nx));
    for (int b = 0; b < nx; ++b)
        for (int s = 0; s < slices_; ++s) {
            const int resolved = resolved_bits(b, s);
            if (resolved == 0) continue; // below the output's significance: skipped
            AcceleratorCounts& c = plane_adc[std::size_t(b)];
            c.adc_conversions += std::uint64_t(outputs());
            c.adc_by_bits[std::size_t(resolved)] += std::uint64_t(outputs());
            c.shift_adds += std::uint64_t(outputs());
        }
    const bool integer_sums =
        hw.variability_levels == 0 && hw.read_noise_levels == 0 && !config_.float_column_sums;
    Eigen::ArrayXi planes_max = Eigen::ArrayXi::Zero(n);
    std::vector<std::uint64_t> planes; // a tile's input bits: plane b of vector j at (j nx + b)
    Eigen::ArrayXXi ones(nx, n), inverted(nx, n);
    for (int k = 0; k < row_tiles(); ++k) {
        poll();
        const Tile& t = tiles_[k];
        const int words = t.words;
        const auto plane_bits = [&](Eigen::Index j, int b) {
            return planes.data() + (std::size_t(j) * std::size_t(nx) + std::size_t(b)) * words;
        };
        planes.resize(std::size_t(n) * std::size_t(nx) * std::size_t(words));
        // Word by word, plane by plane: a fixed loop over 64 rows the compiler vectorises.
        for (Eigen::Index j = 0; j < n; ++j)
            for (int w = 0; w < words; ++w) {
                const std::int64_t* x = &xi(t.row0 + 64 * w, j);
                const int count = std::min(64, t.rows - 64 * w);
                for (int b = 0; b < nx; ++b) {
                    std::uint64_t bits = 0;
                    for (int r = 0; r < count; ++r)
                        bits |= (std::uint64_t(x[r] >> b) & 1) << r;
                    plane_bits(j, b)[w] = bits;
                }
            }
        const int level_width = int(t.row_level_bits.size()) / words;
        counts.planes_possible += std::uint64_t(n) * std::uint64_t(nx);
        for (Eigen::Index j = 0; j < n; ++j) {
            planes_max(j) = std::max(planes_max(j), hi(k, j) - lo(k, j) + 1);
            for (int b = 0; b < nx; ++b) {
                const std::uint64_t* x = plane_bits(j, b);
                int on = 0;
                for (int w = 0; w < words; ++w)
                    on += std::popcount(x[w]);
                ones(b, j) = on;
                inverted(b, j) = 0;
                if (b < lo(k, j) || b > hi(k, j)) continue;
                // Bus-invert (encoding): a plane with more ones than zeros is driven inverted.
                const bool inv = opt.encoding && 2 * on > t.rows;
                inverted(b, j) = inv ? 1 : 0;
                std::uint64_t lit = 0; // stored levels of the rows whose input bit is 1
                for (int l = 0; l < level_width; ++l)
                    for (int w = 0; w < words; ++w)
                        lit += std::uint64_t(std::popcount(x[w] & t.row_level_bits[l * words + w]))
                               << l;
                const auto active = std::uint64_t(inv ? t.rows - on : on);
                counts.dac_drives += active * std::uint64_t(col_tiles_);
                counts.active_cells += active * columns;
                counts.active_levels += inv ? t.level_total - lit : lit;
                counts += plane_adc[std::size_t(b)];
                counts.crossbar_reads += std::uint64_t(col_tiles_);
            }
        }
        if (t.output.empty()) continue;
        if (integer_sums) {
            // Per vector: each streamed plane's column sums in integers, the ADC transfer in
            // integers (the same values as the float route: every quantity is an integer).
            // Planes driving the same rows share their column sums (8-bit pixels scaled to
            // 16-bit codes repeat their planes), and planes converting those sums alike share
            // the conversion, their shift-add weights summed; the decoding is affine in the
            // converted value, so it is applied once per vector to the weighted sum.
            const auto nl = t.output.size();
            const std::int32_t top_level = (1 << bpc) - 1;
            std::vector<std::uint64_t> driven(std::size_t(nx) * std::size_t(words));
            Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1> out(outputs());
            ColumnSums p{};
            p.cells = t.level_bits.data();
            p.stacked = nl;
            p.words = words;
            p.cells_bits = bpc;
            std::int32_t largest = 0;
            // A decoded value |q| <= top rows + the largest conversion, and its planes add up to
            // under 2^input_bits times that: 32 bits hold them in the default design.
            const double conversion_max = adc_ideal_
                                              ? double(top_level) * t.rows
                                              : std::ldexp(1.0, hw.adc_step_log2 + adc_bits_);
            const double planes_max_sum =
                (double(top_level) * t.rows + conversion_max) * std::ldexp(1.0, nx);
            const auto tile = [&]<typename Acc>(std::vector<Acc>& acc) {
                std::vector<int> streamed; // the planes of vector j that drive any row
                std::vector<int> pattern;  // per streamed plane: its driven rows' index
                int patterns = 0;
                /// Per pattern, the planes' conversions of one slice: resolved bits, weight.
                std::vector<std::vector<std::pair<int, Acc>>> conversions;
                std::array<std::int32_t, 256> sums;
                for (Eigen::Index j = 0; j < n; ++j) {
                    if (j % 64 == 0) poll();
                    streamed.clear();
                    pattern.clear();
                    patterns = 0;
                    for (int b = std::max(lo(k, j), 0); b <= hi(k, j); ++b) {
                        const std::uint64_t* x = plane_bits(j, b);
                        // Nothing driven: every sum, conversion and decoded value is 0.
                        if (inverted(b, j) == 0 && ones(b, j) == 0) continue;
                        // Inverted: the bits beyond the tile's rows meet no stored level bits.
                        std::uint64_t* d = driven.data() + std::size_t(patterns * words);
                        for (int w = 0; w < words; ++w)
                            d[w] = inverted(b, j) != 0 ? ~x[w] : x[w];
                        int g = 0;
                        while (g < patterns &&
                               !std::equal(d, d + words, driven.data() + std::size_t(g * words)))
                            ++g;
                        patterns = std::max(patterns, g + 1);
                        streamed.push_back(b);
                        pattern.push_back(g);
                    }
                    if (streamed.empty()) continue;
                    std::fill(acc.begin(), acc.end(), 0);
                    conversions.resize(std::size_t(patterns));
                    // Blocks of stacked rows through every pattern: their level bits stay in L1.
                    constexpr int block = int(std::tuple_size_v<decltype(sums)>);
                    for (int s = 0; s < slices_; ++s) {
                        using U = std::make_unsigned_t<Acc>;
                        Acc inverted_weight = 0, weighted_ones = 0;
                        for (auto& c : conversions)
                            c.clear();
                        for (std::size_t m = 0; m < streamed.size(); ++m) {
                            const int b = streamed[m];
                            const int resolved = adc_ideal_ ? adc_bits_ : resolved_bits(b, s);
                            if (resolved == 0) continue; // skipped: the sums are only seen
                            // Shift-add weight 2^b (the two's complement sign plane negative).
                            const U weight =
                                signed_inputs_ && b == nx - 1 ? U(0) - (U(1) << b) : U(1) << b;
                            const bool inv = inverted(b, j) != 0;
                            if (inv) inverted_weight = Acc(U(inverted_weight) + weight);
                            weighted_ones = Acc(U(weighted_ones) + weight * U(ones(b, j)));
                            auto& c = conversions[std::size_t(pattern[m])];
                            const Acc signed_weight = Acc(inv ? U(0) - weight : weight);
                            auto same = std::find_if(c.begin(), c.end(), [&](const auto& r) {
                                return r.first == resolved;
                            });
                            if (same == c.end())
                                c.emplace_back(resolved, signed_weight);
                            else
                                same->second = Acc(U(same->second) + U(signed_weight));
                        }
                        const Acc flip_offset = Acc(U(top_level) * U(weighted_ones));
                        for (int i0 = t.slice_begin[s]; i0 < t.slice_begin[s + 1]; i0 += block) {
                            p.i0 = i0;
                            p.i1 = std::min(i0 + block, t.slice_begin[s + 1]);
                            for (int g = 0; g < patterns; ++g) {
                                p.driven = driven.data() + std::size_t(g * words);
                                column_sums(p, sums.data(), largest);
                                for (const auto& [resolved, weight] : conversions[std::size_t(g)]) {
                                    const int e =
                                        adc_ideal_ ? 0 : hw.adc_step_log2 + adc_bits_ - resolved;
                                    const std::int32_t cap =
                                        adc_ideal_ ? INT32_MAX : (std::int32_t(1) << resolved) - 1;
                                    add_conversions(sums.data(), p.i1 - i0, e, cap, weight,
                                                    acc.data() + i0);
                                }
                            }
                            decode(acc.data(), i0, p.i1, t.stored_sum.data(), t.flipped.data(),
                                   inverted_weight, flip_offset);
                        }
                    }
                    out.setZero();
                    for (int s = 0; s < slices_; ++s)
                        for (int i = t.slice_begin[s]; i < t.slice_begin[s + 1]; ++i)
                            out(t.output[std::size_t(i)]) += std::int64_t(
                                std::uint64_t(std::int64_t(acc[std::size_t(i)])) << (bpc * s));
                    y.col(j) += out.cast<double>();
                }
            };
            if (planes_max_sum < std::ldexp(1.0, 31)) {
                std::vector<std::int32_t> acc(nl);
                tile(acc);
            } else {
                std::vector<std::int64_t> acc(nl);
                tile(acc);
            }
            max_column_sum = std::max(max_column_sum, double(largest));
            continue;
        }
        const auto nl = t.levels.rows();
        Eigen::MatrixXf bits, driven;
        Eigen::ArrayXXf sums;
        for (int b = 0; b < nx; ++b) {
            poll();
            if (((lo.row(k) <= b) && (hi.row(k) >= b)).count() == 0) continue;
            bits = xi.block(t.row0, 0, t.rows, n).unaryExpr([&](std::int64_t v) {
                return float((v >> b) & 1);
            });
            const Eigen::RowVectorXf on = ones.row(b).cast<float>();
            const Eigen::RowVectorXf inv = inverted.row(b).cast<float>();
            driven = bits;
            for (Eigen::Index j = 0; j < n; ++j)
                if (inv(j) != 0) driven.col(j) = (1.f - bits.col(j).array()).matrix();
            sums = (t.levels * driven).array();
            if (hw.read_noise_levels > 0)
                for (Eigen::Index j = 0; j < n; ++j) {
                    if (b < lo(k, j) || b > hi(k, j)) continue;
                    const float active = inv(j) != 0 ? float(t.rows) - on(j) : on(j);
                    const float sigma = float(hw.read_noise_levels) * std::sqrt(active);
                    for (Eigen::Index i = 0; i < nl; ++i)
                        sums(i, j) += sigma * noise.normal_f32(key, std::uint32_t(i + nl * j),
                                                               std::uint32_t(k * 64 + b));
                }
            max_column_sum = std::max(max_column_sum, double(sums.maxCoeff()));
            // The column's ADC: round to its step, clip to its range.
            Eigen::ArrayXf kept = Eigen::ArrayXf::Ones(nl);
            if (!adc_ideal_) {
                // A SAR stopping early has a coarser step over the same range; a skipped
                // conversion contributes nothing.
                Eigen::ArrayXf steps(nl);
                for (int s = 0; s < slices_; ++s) {
                    const int resolved = resolved_bits(b, s);
                    const int i0 = t.slice_begin[s], count = t.slice_begin[s + 1] - i0;
                    steps.segment(i0, count).setConstant(
                        step * float(std::ldexp(1.0, adc_bits_ - resolved)));
                    kept.segment(i0, count).setConstant(resolved > 0 ? 1.f : 0.f);
                }
                sums = (sums.colwise() / steps).round().max(0.f);
                sums = sums.min((adc_max * step / steps).floor().replicate(1, n));
                sums = sums.colwise() * steps;
            }
            // Decode: inverted input -> stored column sum minus the value; flipped column ->
            // top * (ones of the plane) minus that.
            const Eigen::ArrayXXf a =
                sums + ((-2 * sums).colwise() + t.stored_sum.cast<float>()).rowwise() * inv.array();
            const Eigen::ArrayXXf q =
                (a + ((-2 * a).rowwise() + top * on.array()).colwise() * t.flipped.cast<float>())
                    .colwise() *
                kept;
            // Shift-and-add: plane weight 2^b (the two's complement sign plane negative).
            const double plane =
                (signed_inputs_ && b == nx - 1) ? -std::ldexp(1.0, b) : std::ldexp(1.0, b);
            for (int s = 0; s < slices_; ++s)
                for (int i = t.slice_begin[s]; i < t.slice_begin[s + 1]; ++i)
                    y.row(t.output[std::size_t(i)]) +=
                        (plane * std::ldexp(1.0, bpc * s)) * q.row(i).cast<double>().matrix();
        }
    }
    // The losslessly converted slices: their shift-added planes are exactly u_s . x.
    y.noalias() += exact_ * xd;
    // The zero point: w = u + z_c, so W x = U x + z_c sum(x) (digital, once per MVM).
    y += zero_ * xd.colwise().sum();
    const auto nn = std::uint64_t(n);
    counts.mvms += nn;
    counts.cycles += std::uint64_t(planes_max.sum());
    counts.shift_adds += nn * std::uint64_t(outputs()) * std::uint64_t(row_tiles());
    counts.buffer_values += nn * std::uint64_t(inputs() + outputs());
    return y;
}

} // namespace cbl
