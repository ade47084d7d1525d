#include "core/training/schemes/time_scheme.hpp"

#include "core/common/param_error.hpp"
#include "core/common/rng.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace cbl {

namespace {
TimeScheme::Write write_of(const std::string& name) {
    if (name == "verify") return TimeScheme::Write::verify;
    if (name == "gradual") return TimeScheme::Write::gradual;
    if (name == "tolerant") return TimeScheme::Write::tolerant;
    throw InputError("scheme.write_scheme " + name +
                     " is not a write scheme (verify, gradual, tolerant)");
}
} // namespace

TimeScheme::TimeScheme(const SchemeConfig& c, bool single, std::uint64_t seed, std::uint32_t layer)
    : single_(single), seed_(seed), layer_(layer) {
    configure(c);
}

std::unique_ptr<UpdateScheme> TimeScheme::clone() const {
    return std::make_unique<TimeScheme>(*this);
}

void TimeScheme::configure(const SchemeConfig& c) {
    eps_ = c.eps;
    eps_up_ = eps_for(c, single_, true);
    eps_down_ = eps_for(c, single_, false);
    threshold_ =
        0.5f * static_cast<float>(std::min(eps_for(c, single_, true), eps_for(c, single_, false)));
    tolerance_ = c.write_tolerance;
    max_iterations_ = c.write_max_iterations;
    write_ = write_of(c.write_scheme);
    in_array_ = c.update_location == "array";
    train_length_ = c.update_train_length;
}

void TimeScheme::write(int r, int c, float dw, SynapseArray& a, StepContext& ctx) const {
    OpCounts& up = (*ctx.counts)[Stage::update];
    const double eps = eps_;
    if (std::abs(dw) < 0.5 * eps) return;
    if (write_ == Write::gradual) {
        a.program(r, c, bounded_pulses(std::round(dw / eps)), ctx);
        return;
    }
    if (write_ == Write::tolerant) {
        // One verify read, one train sized from what a pulse does to this device at the
        // conductance just read, on the nominal curve: an RRAM cell steps by several eps where
        // its curve is steep, by a fraction where it saturates, and unequally up and down, so a
        // train sized in eps over- or undershoots and plain verify pays the back-and-forth
        // rounds. The train is rounded stochastically, right in expectation, and what the
        // device-to-device spread leaves is corrected by later updates like any other error of
        // the weight: no verify loop. A device that cannot move that way (at its rail) gets no
        // pulse.
        ++up.verify_reads;
        const double step = std::abs(a.nominal_pulse_weight(r, c, dw > 0));
        if (step < 0.1 * eps) return;
        const double u =
            CounterRng(seed_, RngStream::tuning, layer_)
                .uniform(ctx.step, std::uint32_t(r) * std::uint32_t(a.cols()) + std::uint32_t(c));
        const int p = bounded_pulses(std::floor(std::abs(dw) / step + u));
        a.program(r, c, dw > 0 ? p : -p, ctx);
        return;
    }
    const double target = a.weight(r, c) + dw;
    const double band = tolerance_ * eps;
    for (int it = 0; it < max_iterations_; ++it) {
        const double before = a.weight(r, c);
        ++up.verify_reads;
        const double error = target - before;
        if (std::abs(error) <= band) return;
        a.program(r, c, error > 0 ? 1 : -1, ctx, it); // one pulse, then read back
    }
    ++up.verify_reads;
}

std::uint64_t TimeScheme::train(double p, std::uint64_t step, std::uint32_t line,
                                std::uint32_t kind) const {
    if (p <= 0) return 0;
    const std::uint64_t all = train_length_ == 64 ? ~0ull : (1ull << train_length_) - 1;
    if (p >= 1) return all;
    // Slot t pulses when word t of the line's Philox blocks (four words a block) is below p 2^32.
    const CounterRng rng(seed_, RngStream::update_train, layer_);
    const double limit = p * 4294967296.0;
    std::uint64_t bits = 0;
    for (int t = 0; t < train_length_; t += 4) {
        const auto words = rng.block(step, line, kind | std::uint32_t(t / 4) << 8);
        for (int k = 0; k < 4 && t + k < train_length_; ++k)
            if (double(words[k]) < limit) bits |= 1ull << (t + k);
    }
    return bits;
}

void TimeScheme::update_in_array(const Vec& x, const Vec& delta, float scale, SynapseArray& a,
                                 StepContext& ctx) {
    OpCounts& up = (*ctx.counts)[Stage::update];
    const int rows = int(delta.size()), cols = int(x.size());
    const double rate = std::abs(double(scale)), slots = double(train_length_);
    // One multiply per line turns its value into a pulse probability (the digital unit's only
    // share); the random bits are drawn beside each line driver.
    up.digital_macs += std::uint64_t(rows + cols);
    if (rate == 0) return;
    const double gain_x = std::sqrt(rate / (slots * eps_));
    x_train_.resize(std::size_t(cols));
    d_train_.resize(std::size_t(rows));
    // Phase +1 drives the positive inputs, phase -1 the negative ones with reversed polarity.
    for (const int phase : {1, -1}) {
        active_.clear();
        for (int c = 0; c < cols; ++c) {
            const bool in_phase = phase > 0 ? x[c] > 0 : x[c] < 0;
            x_train_[std::size_t(c)] = in_phase ? train(gain_x * std::abs(double(x[c])), ctx.step,
                                                        std::uint32_t(c), phase > 0 ? 0u : 1u)
                                                : 0;
            up.dac_conversions += std::uint64_t(std::popcount(x_train_[std::size_t(c)]));
            if (x_train_[std::size_t(c)] != 0) active_.push_back(c);
        }
        // No input line pulses in this phase: its error lines are not driven either.
        if (active_.empty()) continue;
        for (int r = 0; r < rows; ++r) {
            // The sign of this phase's change of row r: that of scale delta_r x, x's the phase.
            const int sign = (scale > 0) == (delta[r] > 0) ? phase : -phase;
            const double gain_d = rate / (slots * (sign > 0 ? eps_up_ : eps_down_) * gain_x);
            d_train_[std::size_t(r)] = delta[r] == 0
                                           ? 0
                                           : train(gain_d * std::abs(double(delta[r])), ctx.step,
                                                   std::uint32_t(r), phase > 0 ? 2u : 3u);
            up.dac_conversions += std::uint64_t(std::popcount(d_train_[std::size_t(r)]));
        }
        for_each_row(rows, a, ctx, [&](int r, StepContext& row_ctx) {
            const std::uint64_t d = d_train_[std::size_t(r)];
            if (d == 0) return;
            const int sign = (scale > 0) == (delta[r] > 0) ? phase : -phase;
            for (const int c : active_)
                if (const int n = std::popcount(x_train_[std::size_t(c)] & d); n > 0)
                    a.program(r, c, sign * n, row_ctx);
        });
    }
}

void TimeScheme::commit_rank1(const Vec& x, const Vec& delta, float scale,
                              const std::vector<int>& nz, SynapseArray& a, StepContext& ctx) {
    if (in_array_) return update_in_array(x, delta, scale, a, ctx);
    for_each_update_above(x, delta, scale, nz, threshold_, dw_,
                          [&](int r, int c, float dw) { write(r, c, dw, a, ctx); });
}

void TimeScheme::commit(const Matrix& dW, SynapseArray& a, StepContext& ctx) {
    if (in_array_)
        throw InputError("scheme.update_location = array updates per sample with plain SGD: "
                         "training.batch_size must be 1 and training.optimizer.type sgd");
    // Most columns hold no change write() would act on (|dW| >= eps / 2): one vectorised test
    // per column first. Each row's writes then go in column order, rows side by side.
    active_.clear();
    for (int c = 0; c < int(dW.cols()); ++c)
        if (double(dW.col(c).cwiseAbs().maxCoeff()) >= 0.5 * eps_) active_.push_back(c);
    for_each_row(int(dW.rows()), a, ctx, [&](int r, StepContext& row_ctx) {
        for (const int c : active_)
            if (dW(r, c) != 0) write(r, c, dW(r, c), a, row_ctx);
    });
}

} // namespace cbl
