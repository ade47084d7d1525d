#include "core/experiment/divergence.hpp"

#include "core/common/param_error.hpp"

#include <cmath>

namespace cbl {

std::string value_text(double v) {
    return std::isnan(v) ? "nan" : format_number(v);
}

std::string NonFinite::where() const {
    std::string s = array + "[";
    for (std::size_t i = 0; i < index.size(); ++i)
        s += (i ? ", " : "") + std::to_string(index[i]);
    return s + "] = " + value_text(value);
}

std::optional<NonFinite> first_non_finite(const StateArrays& arrays) {
    for (const auto& [path, a] : arrays) {
        // A time of +inf means "none yet" (a tile's cache bounds before any pulse); NaN and
        // -inf never mean anything.
        const bool inf_is_none = a.unit == "s";
        std::optional<NonFinite> found;
        std::visit(
            [&](const auto& v) {
                using T = typename std::decay_t<decltype(v)>::value_type;
                if constexpr (std::is_floating_point_v<T>)
                    for (std::size_t i = 0; i < v.size(); ++i)
                        if (!std::isfinite(v[i]) && !(inf_is_none && v[i] > 0)) {
                            // Row-major flat index back to the array's shape.
                            std::vector<std::size_t> index(a.shape.size(), 0);
                            std::size_t rest = i;
                            for (std::size_t d = a.shape.size(); d-- > 0;) {
                                index[d] = a.shape[d] ? rest % a.shape[d] : 0;
                                rest = a.shape[d] ? rest / a.shape[d] : 0;
                            }
                            found = NonFinite{path, index, double(v[i]), a.unit};
                            return;
                        }
            },
            a.data);
        if (found) return found;
    }
    return std::nullopt;
}

std::string likely_cause(const ExperimentConfig& c, const std::string& quantity,
                         const std::string& unit) {
    const auto& o = c.training.optimizer;
    const std::string lr =
        "training.optimizer.learning_rate = " + format_number(o.learning_rate) + " is too large";
    const auto ends_with = [&](const char* tail) {
        const std::string t(tail);
        return quantity.size() >= t.size() &&
               quantity.compare(quantity.size() - t.size(), t.size(), t) == 0;
    };
    if (ends_with("chi"))
        return "scheme.eps = " + format_number(c.scheme.eps) + " is too small, or " + lr;
    if (unit == "uS" || unit == "s") {
        std::string device =
            c.tile.device.is_pcm()
                ? "device.t0_s = " + format_number(std::get<PcmParams>(c.tile.device.model).t0_s) +
                      " s (the drift time constant)"
                : "the device's parameters (device.*)";
        return unit == "s" ? device + " or training.seconds_per_image = " +
                                 format_number(c.training.seconds_per_image) + " s"
                           : device + ", tile.beta_per_uS, or " + lr;
    }
    if (o.type == "adam")
        return lr + ", or training.optimizer.adam_epsilon = " + format_number(o.adam_epsilon) +
               " is too small";
    return lr;
}

double chance_loss(int classes) {
    return std::log(double(std::max(classes, 1)));
}

std::string chance_divergence(const ExperimentConfig& c, const std::vector<EpochMetrics>& history,
                              int classes) {
    const auto n = static_cast<std::size_t>(c.training.divergence_epochs);
    if (n == 0 || history.size() < n + 1) return "";
    const double chance = chance_loss(classes);
    std::string losses;
    for (std::size_t i = history.size() - n; i < history.size(); ++i) {
        if (!(history[i].train_loss >= chance)) return "";
        losses += (losses.empty() ? "" : ", ") +
                  format_number(std::round(history[i].train_loss * 100) / 100);
    }
    const int last = history.back().epoch;
    const std::string epochs =
        n == 1 ? "epoch " + std::to_string(last)
               : "epochs " + std::to_string(last - int(n) + 1) + ".." + std::to_string(last);
    return "training diverged: the mean training loss of " + epochs + " (" + losses +
           " nats) stayed at or above chance, ln(" + std::to_string(classes) +
           ") = " + format_number(std::round(chance * 1000) / 1000) +
           "; likely cause: " + likely_cause(c, "loss");
}

} // namespace cbl
