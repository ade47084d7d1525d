#include "core/experiment/summary.hpp"

#include <cmath>

namespace cbl {

nlohmann::json summary_json(const Experiment& e, double wall_seconds) {
    nlohmann::json j;
    const auto& h = e.history();
    j["preset"] = e.config().name;
    j["dataset"] = e.data().name;
    // A layer list is reported as given; `layers` (neuron counts) describes a chain only.
    if (e.config().network.graph.empty())
        j["layers"] = e.config().network.layers;
    else
        j["graph"] = e.config().network.graph;
    j["epochs"] = h.size();
    auto column = [&](auto member) {
        nlohmann::json a = nlohmann::json::array();
        for (const EpochMetrics& m : h)
            a.push_back(m.*member);
        return a;
    };
    j["train_accuracy"] = column(&EpochMetrics::train_accuracy);
    j["test_accuracy"] = column(&EpochMetrics::test_accuracy);
    j["train_loss"] = column(&EpochMetrics::train_loss);
    j["test_loss"] = column(&EpochMetrics::test_loss);
    // Character models (text data): the losses as bits per character, loss / ln 2 (seed 002
    // Fig. 4E-F).
    if (!e.data().vocabulary.empty()) {
        auto bits = [&](auto member) {
            nlohmann::json a = nlohmann::json::array();
            for (const EpochMetrics& m : h)
                a.push_back(m.*member / std::log(2.0));
            return a;
        };
        j["train_bpc"] = bits(&EpochMetrics::train_loss);
        j["validation_bpc"] = bits(&EpochMetrics::validation_loss);
        j["test_bpc"] = bits(&EpochMetrics::test_loss);
        j["sample_text"] = column(&EpochMetrics::sample_text);
    }
    j["device_updates"] = column(&EpochMetrics::device_updates);
    j["fp_equivalent_updates"] = column(&EpochMetrics::fp_equivalent_updates);
    j["refreshes"] = column(&EpochMetrics::refreshes);
    j["simulated_time_s"] = e.simulated_time_s();
    // Modelled hardware energy and latency per training image (core/energy, CLI.md).
    const EnergyReport report = e.energy_report();
    const nlohmann::json energy = to_json(report);
    for (const char* key : {"energy_nJ_per_image", "time_us_per_image"}) {
        nlohmann::json& out = j[key];
        for (const char* stage : {"forward", "backward", "update", "total"})
            out[stage] = energy[key][stage];
    }
    j["energy"] = energy;
    const nlohmann::json ratio = time_energy_ratio_json(report);
    if (!ratio.is_null()) j["energy_ratio"] = ratio;
    long long images = 0;
    for (const EpochMetrics& m : h)
        images += m.images;
    j["images_trained"] = images;
    j["images_per_second"] = wall_seconds > 0 ? images / wall_seconds : 0.0;
    j["wall_seconds"] = wall_seconds;
    // Issue 20: a run that diverged says so (and why), also under --allow-divergence.
    const std::string divergence = e.divergence();
    j["diverged"] = !divergence.empty();
    if (!divergence.empty()) j["divergence"] = divergence;
    return j;
}

} // namespace cbl
