#pragma once
// LSTM cell (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000), seed 002
// section 2.4 / Fig. 4D: "LSTM cells ... basically consist of fully-connected layers" (Li et al.
// 2019), so the four gates are ONE weight matrix W = 4H x (D + H + 1) on the crossbar, read for
// every time step with the step's [x_t, h_{t-1}, 1]:
//   z_t = W [x_t, h_{t-1}, 1],  rows in gate order (i, f, g, o), H rows each;
//   i = sigma(z_i), f = sigma(z_f), g = tanh(z_g), o = sigma(z_o);
//   c_t = f * c_{t-1} + i * g,  h_t = o * tanh(c_t).
// A sample is one sequence of T steps starting from h = c = 0: truncated back-propagation
// through time over that window reads W^T once per step (a transposed MVM), and the sample's
// gradient sum_t delta_t [x_t, h_{t-1}, 1]^T (rank up to T) is summed over the window before
// the scheme turns it into weight changes (commit(), never rank-1).
//
// Values are stored as everywhere in the network, channel-major: a sequence of T vectors of
// width D is D x 1 x T (unit u of step t at u*T + t), so a dense layer after an LSTM is a 1x1
// convolution over the T steps. The first LSTM of a character model reads the sample itself,
// T + 1 character indices (the last one is only a target): x_t is then the one-hot vector of
// character t over a vocabulary of D characters.
#include "core/network/activation.hpp"
#include "core/network/layer.hpp"

#include <stdexcept>

namespace cbl {

template <typename Scalar>
class LstmLayer final : public WeightNode<Scalar> {
  public:
    using typename Layer<Scalar>::Vec;
    using typename Layer<Scalar>::Matrix;

    /// Reads D-wide inputs, or with `one_hot` character indices one-hot over D characters;
    /// `w` must be 4H x (D + H + 1). `forget_bias` (weight units) is added to the initial
    /// forget-gate biases: with 1, f starts near sigma(1) = 0.73 and the cell keeps its state
    /// and gradient from the first step on (Gers et al. 2000; Jozefowicz et al. 2015 found +1
    /// closes most of the gap between the LSTM and its best variants). On a crossbar it is drawn
    /// into the pair's initial conductances (CrossbarTile::shift_initial).
    LstmLayer(std::unique_ptr<WeightLayer<Scalar>> w, const OptimizerConfig& opt, int width,
              int steps, bool one_hot, double forget_bias = 0)
        : WeightNode<Scalar>(std::move(w), opt), d_(width), h_((this->w_->outputs()) / 4),
          t_(steps), one_hot_(one_hot) {
        // A mis-shaped matrix is left alone here and refused by output_size().
        if (forget_bias != 0 && this->w_->inputs() == d_ + h_ + 1)
            for (int u = 0; u < h_; ++u)
                this->w_->shift_initial(h_ + u, d_ + h_, forget_bias);
    }

    int hidden() const { return h_; }
    int steps() const { return t_; }
    int gate_rows() const override { return h_; }

    int output_size(int inputs, const std::string& node) const override {
        const int want = one_hot_ ? t_ + 1 : d_ * t_;
        if (inputs != want)
            throw InputError("network: layer '" + node + "' takes " +
                             (one_hot_
                                  ? std::to_string(t_ + 1) + " character indices"
                                  : std::to_string(d_) + " x " + std::to_string(t_) + " values") +
                             " but gets " + std::to_string(inputs));
        if (this->w_->outputs() != 4 * h_ || this->w_->inputs() != d_ + h_ + 1)
            throw InputError("network: layer '" + node + "' needs a " + std::to_string(4 * h_) +
                             " x " + std::to_string(d_ + h_ + 1) + " matrix (gates i, f, g, o)");
        return h_ * t_;
    }

    void forward(const Vec& x, Vec& y, StepContext& ctx) override {
        a_.setZero(this->w_->inputs(), t_);
        gates_.resize(4 * h_, t_);
        c_.resize(h_, t_);
        tanh_c_.resize(h_, t_);
        hs_.resize(h_, t_);
        Vec a, z, g;
        for (int t = 0; t < t_; ++t) {
            set_input(x.data(), t, a_.col(t));
            if (t > 0) a_.col(t).segment(d_, h_) = hs_.col(t - 1);
            a_(d_ + h_, t) = 1;
            a = a_.col(t);
            ctx.position = static_cast<std::uint32_t>(t);
            this->w_->forward(a, z, ctx);
            activate_gates(z, g);
            gates_.col(t) = g;
            c_.col(t) = g.head(h_).cwiseProduct(g.segment(2 * h_, h_));
            if (t > 0) c_.col(t) += g.segment(h_, h_).cwiseProduct(c_.col(t - 1));
            tanh_c_.col(t) = c_.col(t).array().tanh().matrix();
            hs_.col(t) = g.tail(h_).cwiseProduct(tanh_c_.col(t));
        }
        ctx.position = 0;
        if (ctx.counts) (*ctx.counts)[Stage::forward].activations += std::uint64_t(5 * h_ * t_);
        y.resize(h_ * t_);
        Eigen::Map<Matrix>(y.data(), t_, h_) = hs_.transpose();
    }

    // Back-propagation through time, last step first: dh_t = dy_t + (W^T delta_{t+1})_h and the
    // cell's error dc carried through the forget gate.
    void backward(const Vec&, const Vec&, const Vec& dy, Vec* dx, StepContext& ctx) override {
        const Eigen::Map<const Matrix> dys(dy.data(), t_, h_);
        delta_.resize(4 * h_, t_);
        Vec dh_next = Vec::Zero(h_), dc = Vec::Zero(h_), dh, d, back;
        if (dx) dx->setZero(d_ * t_);
        for (int t = t_ - 1; t >= 0; --t) {
            const auto i = gates_.col(t).segment(0, h_).array();
            const auto f = gates_.col(t).segment(h_, h_).array();
            const auto g = gates_.col(t).segment(2 * h_, h_).array();
            const auto o = gates_.col(t).segment(3 * h_, h_).array();
            const auto tc = tanh_c_.col(t).array();
            dh = dys.row(t).transpose() + dh_next;
            dc.array() += dh.array() * o * (1 - tc.square());
            auto di = delta_.col(t).segment(0, h_).array();
            auto df = delta_.col(t).segment(h_, h_).array();
            auto dg = delta_.col(t).segment(2 * h_, h_).array();
            auto dO = delta_.col(t).segment(3 * h_, h_).array();
            di = dc.array() * g * i * (1 - i);
            if (t > 0)
                df = dc.array() * c_.col(t - 1).array() * f * (1 - f);
            else
                df.setZero();
            dg = dc.array() * i * (1 - g.square());
            dO = dh.array() * tc * o * (1 - o);
            dc.array() *= f;
            if (t == 0 && !dx) break; // h_{-1} = 0 and nothing upstream learns
            d = delta_.col(t);
            ctx.position = static_cast<std::uint32_t>(t);
            this->w_->backward(d, back, ctx);
            dh_next = back.segment(d_, h_);
            if (dx) Eigen::Map<Matrix>(dx->data(), t_, d_).row(t) = back.head(d_).transpose();
        }
        ctx.position = 0;
        if (ctx.counts) (*ctx.counts)[Stage::backward].activations += std::uint64_t(5 * h_ * t_);
    }

    // All samples (columns) step by step, each step one batched read keyed by its own key.
    void forward_batch(const Matrix& x, Matrix& y, std::uint64_t eval_key) const override {
        const Eigen::Index m = x.cols();
        Matrix a = Matrix::Zero(this->w_->inputs(), m), z, g, c = Matrix::Zero(h_, m),
               h = Matrix::Zero(h_, m);
        y.resize(Eigen::Index(h_) * t_, m);
        for (int t = 0; t < t_; ++t) {
            a.topRows(d_).setZero();
            for (Eigen::Index s = 0; s < m; ++s)
                set_input(x.col(s).data(), t, a.col(s));
            a.middleRows(d_, h_) = h;
            a.row(d_ + h_).setOnes();
            this->w_->forward_batch(a, z, eval_key * 1031u + std::uint64_t(t));
            activate_gates(z, g);
            c = (g.middleRows(h_, h_).array() * c.array() +
                 g.topRows(h_).array() * g.middleRows(2 * h_, h_).array())
                    .matrix();
            h = (g.bottomRows(h_).array() * c.array().tanh()).matrix();
            for (int u = 0; u < h_; ++u)
                y.row(Eigen::Index(u) * t_ + t) = h.row(u);
        }
    }
    std::unique_ptr<Layer<Scalar>> clone() const override {
        return std::make_unique<LstmLayer>(*this);
    }

    // sum_t nnz(delta_t) nnz([x_t, h_{t-1}, 1]): what a full-precision update of every step
    // writes.
    std::uint64_t fp_equivalent_updates() const override {
        return this->outer_product_writes(delta_, a_);
    }
    bool rank1() const override { return false; }
    void commit_rank1(Scalar, StepContext&) override {
        throw std::logic_error("lstm: the gradient is not rank-1; use commit()");
    }
    // The window's steps summed before any update: one 4H x T by T x (D + H + 1) product.
    void accumulate_gradient() override { this->grad_.noalias() += delta_ * a_.transpose(); }

  private:
    /// Writes x_t (one-hot of index x[t], or row t of the D x T sequence) into the top D rows
    /// of `col`, whose top rows are zero.
    template <typename Col>
    void set_input(const Scalar* x, int t, Col&& col) const {
        if (!one_hot_) {
            for (int u = 0; u < d_; ++u)
                col[u] = x[u * t_ + t];
            return;
        }
        const auto k = static_cast<int>(x[t]);
        if (k < 0 || k >= d_)
            throw InputError("lstm: character index " + std::to_string(k) +
                             " is outside the vocabulary of " + std::to_string(d_));
        col[k] = 1;
    }
    /// The gate values from z (one column per step or sample): sigma on i, f, o, tanh on g.
    template <typename M>
    void activate_gates(const M& z, M& gates) const {
        M part;
        gates.resize(z.rows(), z.cols());
        activate(Activation::sigmoid, M(z.topRows(2 * h_)), part);
        gates.topRows(2 * h_) = part;
        gates.middleRows(2 * h_, h_) = z.middleRows(2 * h_, h_).array().tanh().matrix();
        activate(Activation::sigmoid, M(z.bottomRows(h_)), part);
        gates.bottomRows(h_) = part;
    }

    int d_, h_, t_;
    bool one_hot_;
    Matrix a_;      ///< [x_t, h_{t-1}, 1] of this sample, one column per step
    Matrix gates_;  ///< i, f, g, o after their nonlinearities, one column per step
    Matrix c_;      ///< cell state c_t
    Matrix tanh_c_; ///< tanh(c_t)
    Matrix hs_;     ///< h_t
    Matrix delta_;  ///< dL/dz_t, one column per step
};

} // namespace cbl
