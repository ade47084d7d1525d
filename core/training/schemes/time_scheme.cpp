#include "core/training/schemes/time_scheme.hpp"

#include "core/common/param_error.hpp"
#include "core/common/rng.hpp"

#include <algorithm>
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

void TimeScheme::commit_rank1(const Vec& x, const Vec& delta, float scale,
                              const std::vector<int>& nz, SynapseArray& a, StepContext& ctx) {
    for_each_update_above(x, delta, scale, nz, threshold_, dw_,
                          [&](int r, int c, float dw) { write(r, c, dw, a, ctx); });
}

void TimeScheme::commit(const Matrix& dW, SynapseArray& a, StepContext& ctx) {
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
