#include "core/accelerator/crossbar_mapping.hpp"

#include "core/common/rng.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

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
        t.output.clear();
        t.slice.clear();
        t.weight.clear();
        std::vector<float> flipped, stored_sum;
        t.row_levels = Eigen::VectorXd::Zero(t.rows);
        for (int s = 0; s < slices_; ++s) {
            const auto ideal = slice_levels_[s].middleCols(t.row0, t.rows);
            for (int c = 0; c < outputs(); ++c) {
                const bool flip = flips_[s](c, k) != 0;
                const Eigen::RowVectorXd stored =
                    flip ? Eigen::RowVectorXd((top - ideal.row(c).array()).matrix())
                         : Eigen::RowVectorXd(ideal.row(c));
                t.row_levels += stored.transpose();
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
                t.slice.push_back(s);
                t.weight.push_back(float(std::ldexp(1.0, bpc * s)));
                flipped.push_back(flip ? 1.f : 0.f);
                stored_sum.push_back(float(sum));
            }
        }
        t.levels.resize(Eigen::Index(stacked.size()), t.rows);
        for (std::size_t i = 0; i < stacked.size(); ++i)
            t.levels.row(Eigen::Index(i)) = stacked[i].cast<float>();
        t.flipped = Eigen::Map<Eigen::ArrayXf>(flipped.data(), Eigen::Index(flipped.size()));
        t.stored_sum =
            Eigen::Map<Eigen::ArrayXf>(stored_sum.data(), Eigen::Index(stored_sum.size()));
    }
}

Eigen::MatrixXd CrossbarMapping::mvm(const Eigen::MatrixXd& xq, std::uint64_t key,
                                     AcceleratorCounts& counts, double& max_column_sum) const {
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
    Eigen::ArrayXi planes_max = Eigen::ArrayXi::Zero(n);
    Eigen::MatrixXf bits, driven;
    Eigen::ArrayXXf sums;
    for (int k = 0; k < row_tiles(); ++k) {
        const Tile& t = tiles_[k];
        const auto nl = t.levels.rows();
        const double level_total = t.row_levels.sum();
        for (int j = 0; j < n; ++j)
            planes_max(j) = std::max(planes_max(j), hi(k, j) - lo(k, j) + 1);
        counts.planes_possible += std::uint64_t(n) * std::uint64_t(nx);
        for (int b = 0; b < nx; ++b) {
            if (((lo.row(k) <= b) && (hi.row(k) >= b)).count() == 0) continue;
            bits = xi.block(t.row0, 0, t.rows, n).unaryExpr([&](std::int64_t v) {
                return float((v >> b) & 1);
            });
            const Eigen::RowVectorXf ones = bits.colwise().sum();
            const Eigen::RowVectorXd lit = t.row_levels.transpose() * bits.cast<double>();
            // Bus-invert (encoding): a plane with more ones than zeros is driven inverted.
            Eigen::RowVectorXf inverted = Eigen::RowVectorXf::Zero(n);
            for (Eigen::Index j = 0; j < n; ++j) {
                if (b < lo(k, j) || b > hi(k, j)) continue;
                const bool inv = opt.encoding && 2 * ones(j) > float(t.rows);
                inverted(j) = inv ? 1.f : 0.f;
                const auto active = std::uint64_t(inv ? float(t.rows) - ones(j) : ones(j));
                counts.dac_drives += active * std::uint64_t(col_tiles_);
                counts.active_cells += active * columns;
                counts.active_levels += std::uint64_t(inv ? level_total - lit(j) : lit(j));
                for (int s = 0; s < slices_; ++s) {
                    const int resolved = resolved_bits(b, s);
                    if (resolved == 0) continue; // below the output's significance: skipped
                    counts.adc_conversions += std::uint64_t(outputs());
                    counts.adc_by_bits[std::size_t(resolved)] += std::uint64_t(outputs());
                    counts.shift_adds += std::uint64_t(outputs());
                }
                counts.crossbar_reads += std::uint64_t(col_tiles_);
            }
            if (nl == 0) continue;
            driven = bits;
            for (Eigen::Index j = 0; j < n; ++j)
                if (inverted(j) != 0) driven.col(j) = (1.f - bits.col(j).array()).matrix();
            sums = (t.levels * driven).array();
            if (hw.read_noise_levels > 0)
                for (Eigen::Index j = 0; j < n; ++j) {
                    if (b < lo(k, j) || b > hi(k, j)) continue;
                    const float active = inverted(j) != 0 ? float(t.rows) - ones(j) : ones(j);
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
                for (Eigen::Index i = 0; i < nl; ++i) {
                    const int resolved = resolved_bits(b, t.slice[i]);
                    steps(i) = step * float(std::ldexp(1.0, adc_bits_ - resolved));
                    kept(i) = resolved > 0 ? 1.f : 0.f;
                }
                sums = (sums.colwise() / steps).round().max(0.f);
                sums = sums.min((adc_max * step / steps).floor().replicate(1, n));
                sums = sums.colwise() * steps;
            }
            // Decode: inverted input -> stored column sum minus the value; flipped column ->
            // top * (ones of the plane) minus that.
            const Eigen::ArrayXXf a =
                sums + ((-2 * sums).colwise() + t.stored_sum).rowwise() * inverted.array();
            const Eigen::ArrayXXf q =
                (a + ((-2 * a).rowwise() + top * ones.array()).colwise() * t.flipped).colwise() *
                kept;
            // Shift-and-add: plane weight 2^b (the two's complement sign plane negative).
            const double plane =
                (signed_inputs_ && b == nx - 1) ? -std::ldexp(1.0, b) : std::ldexp(1.0, b);
            for (Eigen::Index i = 0; i < nl; ++i)
                y.row(t.output[i]) += (plane * t.weight[i]) * q.row(i).cast<double>().matrix();
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
