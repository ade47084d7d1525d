#include "core/training/schemes/time_scheme.hpp"

#include "core/common/param_error.hpp"

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

TimeScheme::TimeScheme(const SchemeConfig& c, bool single) : single_(single) {
    configure(c);
}

std::unique_ptr<UpdateScheme> TimeScheme::clone() const {
    return std::make_unique<TimeScheme>(*this);
}

void TimeScheme::configure(const SchemeConfig& c) {
    eps_ = c.eps;
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
    const double target = a.weight(r, c) + dw;
    const double band = tolerance_ * eps;
    double step_estimate = eps; // weight change per pulse, learnt per weight by "tolerant"
    for (int it = 0; it < max_iterations_; ++it) {
        const double before = a.weight(r, c);
        ++up.verify_reads;
        const double error = target - before;
        if (std::abs(error) <= band) return;
        int p;
        if (write_ == Write::verify) {
            p = error > 0 ? 1 : -1; // one pulse, then read back
        } else {
            // Size the next train from the response this very device showed to the previous
            // one, so device-to-device spread costs no extra rounds.
            p = bounded_pulses(std::round(error / step_estimate));
            if (p == 0) p = error > 0 ? 1 : -1;
        }
        a.program(r, c, p, ctx, it);
        const double moved = a.weight(r, c) - before;
        if (write_ == Write::tolerant && moved * p > 0)
            step_estimate = std::clamp(moved / p, 0.1 * eps, 10 * eps);
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
