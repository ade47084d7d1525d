#pragma once
// 2-D convolution on one weight matrix (Gokmen et al. 2017, cited by seed 002 section 2.4): the
// filter bank is unrolled into W = C_out x (k*k*C_in + 1), one row per output channel, columns
// in (input channel, kernel row, kernel column) order and the bias last. The matrix is used once
// per output position p: forward reads W [x_p, 1] for every patch x_p (im2col), backward reads
// W^T delta_p and scatters the result back onto the patches (col2im), and the sample's gradient
// sum_p delta_p [x_p, 1]^T has rank up to P, so updates go through commit() (never rank-1).
// The P reads of one sample are one forward_many()/backward_many() call: one matrix product in
// full precision, P counted (and noised) MVMs on a crossbar.
#include "core/network/image_shape.hpp"
#include "core/network/layer.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace cbl {

/// Kernel, stride and zero padding of a square 2-D window.
struct Window2d {
    int kernel = 1, stride = 1, padding = 0;

    /// Output positions along an axis of `n` inputs (0 when the window does not fit).
    int positions(int n) const {
        const int span = n + 2 * padding - kernel;
        return span < 0 ? 0 : span / stride + 1;
    }
};

template <typename Scalar>
class Conv2dLayer final : public WeightNode<Scalar> {
  public:
    using typename Layer<Scalar>::Vec;
    using typename Layer<Scalar>::Matrix;

    /// `w` must be C_out x (kernel^2 * in.channels + 1).
    Conv2dLayer(std::unique_ptr<WeightLayer<Scalar>> w, const OptimizerConfig& opt, ImageShape in,
                Window2d window)
        : WeightNode<Scalar>(std::move(w), opt), in_(in),
          win_(window), out_{this->w_->outputs(), window.positions(in.height),
                             window.positions(in.width)} {}

    ImageShape input_shape() const { return in_; }
    ImageShape output_shape() const { return out_; }
    int positions() const { return out_.plane(); }

    int output_size(int inputs, const std::string& node) const override {
        if (inputs != in_.size())
            throw InputError("network: layer '" + node + "' takes a " + in_.str() +
                             " input but gets " + std::to_string(inputs) + " values");
        if (this->w_->inputs() != win_.kernel * win_.kernel * in_.channels + 1)
            throw InputError("network: layer '" + node + "' has a matrix of " +
                             std::to_string(this->w_->inputs()) + " columns for " +
                             std::to_string(win_.kernel) + "x" + std::to_string(win_.kernel) + "x" +
                             std::to_string(in_.channels) + " patches + bias");
        if (positions() == 0)
            throw InputError("network: layer '" + node + "': kernel " +
                             std::to_string(win_.kernel) + " does not fit a " +
                             std::to_string(in_.height) + "x" + std::to_string(in_.width) +
                             " input");
        return out_.size();
    }
    void forward(const Vec& x, Vec& y, StepContext& ctx) override {
        im2col(x.data(), patches_);
        this->w_->forward_many(patches_, z_, ctx);
        y.resize(out_.size());
        to_chw(z_, y.data());
    }
    void backward(const Vec&, const Vec&, const Vec& dy, Vec* dx, StepContext& ctx) override {
        // delta_p for every position: column p of the C_out x P matrix.
        delta_ = Eigen::Map<const Matrix>(dy.data(), positions(), out_.channels).transpose();
        if (!dx) return;
        this->w_->backward_many(delta_, back_, ctx);
        dx->setZero(in_.size());
        col2im(back_, dx->data());
    }
    void forward_batch(const Matrix& x, Matrix& y, std::uint64_t eval_key) const override {
        y.resize(out_.size(), x.cols());
        // Samples in groups of about 4096 positions: large products, bounded memory. Each group
        // keys its own read noise.
        const int group = std::max(1, 4096 / positions());
        Matrix patches, one, z;
        for (int s0 = 0, g = 0; s0 < x.cols(); s0 += group, ++g) {
            const int m = std::min<int>(group, int(x.cols()) - s0);
            patches.resize(this->w_->inputs(), Eigen::Index(m) * positions());
            for (int s = 0; s < m; ++s) {
                im2col(x.col(s0 + s).data(), one);
                patches.middleCols(Eigen::Index(s) * positions(), positions()) = one;
            }
            this->w_->forward_batch(patches, z, eval_key * 65599u + std::uint64_t(g));
            for (int s = 0; s < m; ++s)
                to_chw(z.middleCols(Eigen::Index(s) * positions(), positions()),
                       y.col(s0 + s).data());
        }
    }
    std::unique_ptr<Layer<Scalar>> clone() const override {
        return std::make_unique<Conv2dLayer>(*this);
    }

    // sum_p nnz(delta_p) nnz([x_p, 1]): what a full-precision update of every position writes.
    std::uint64_t fp_equivalent_updates() const override {
        return this->outer_product_writes(delta_, patches_);
    }
    bool rank1() const override { return false; }
    void commit_rank1(Scalar, StepContext&) override {
        throw std::logic_error("conv2d: the gradient is not rank-1; use commit()");
    }
    // sum_p delta_p [x_p, 1]^T as one product (C_out x P times P x (k*k*C_in + 1)).
    void accumulate_gradient() override { this->grad_.noalias() += delta_ * patches_.transpose(); }

  private:
    /// The patches [x_p, 1] of one C x H x W sample as the columns of `a` (zeros outside).
    void im2col(const Scalar* x, Matrix& a) const {
        const int k = win_.kernel;
        a.resize(k * k * in_.channels + 1, positions());
        for (int oy = 0; oy < out_.height; ++oy)
            for (int ox = 0; ox < out_.width; ++ox) {
                Scalar* col = a.col(oy * out_.width + ox).data();
                const int y0 = oy * win_.stride - win_.padding;
                const auto [x0, lo, hi] = span(ox);
                for (int c = 0; c < in_.channels; ++c)
                    for (int ky = 0; ky < k; ++ky, col += k) {
                        const int iy = y0 + ky;
                        if (iy < 0 || iy >= in_.height) {
                            for (int kx = 0; kx < k; ++kx)
                                col[kx] = 0;
                            continue;
                        }
                        const Scalar* row = x + (c * in_.height + iy) * in_.width;
                        // Plain loops: a kernel row is a few values, too short for memcpy.
                        for (int kx = 0; kx < k; ++kx)
                            col[kx] = kx >= lo && kx < hi ? row[x0 + kx] : Scalar(0);
                    }
                *col = 1;
            }
    }
    /// dx += the columns of `b` (without the bias row) added back onto their patches.
    void col2im(const Matrix& b, Scalar* dx) const {
        const int k = win_.kernel;
        for (int oy = 0; oy < out_.height; ++oy)
            for (int ox = 0; ox < out_.width; ++ox) {
                const Scalar* col = b.col(oy * out_.width + ox).data();
                const int y0 = oy * win_.stride - win_.padding;
                const auto [x0, lo, hi] = span(ox);
                for (int c = 0; c < in_.channels; ++c)
                    for (int ky = 0; ky < k; ++ky, col += k) {
                        const int iy = y0 + ky;
                        if (iy < 0 || iy >= in_.height) continue;
                        Scalar* row = dx + (c * in_.height + iy) * in_.width;
                        for (int kx = lo; kx < hi; ++kx)
                            row[x0 + kx] += col[kx];
                    }
            }
    }
    /// Output column ox: the window's first input column x0 and the kernel columns [lo, hi)
    /// that fall inside the input (the rest read zero padding).
    std::array<int, 3> span(int ox) const {
        const int x0 = ox * win_.stride - win_.padding;
        return {x0, std::max(0, -x0), std::min(win_.kernel, in_.width - x0)};
    }
    /// The C_out x P product as a channel-major C_out x H_out x W_out output.
    template <typename Z>
    void to_chw(const Z& z, Scalar* y) const {
        Eigen::Map<Matrix>(y, positions(), out_.channels) = z.transpose();
    }

    ImageShape in_;
    Window2d win_;
    ImageShape out_;
    Matrix patches_; ///< this sample's [x_p, 1], one column per position
    Matrix z_;       ///< W [x_p, 1]
    Matrix delta_;   ///< this sample's dL/dz, one column per position
    Matrix back_;    ///< W^T delta_p, bias row included
};

} // namespace cbl
